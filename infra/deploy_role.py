"""The permissions of the roles GitHub deploys and publishes with (docs/deploying.md, step 7), derived from
infra/template.yaml: what CloudFormation needs to create, change and delete each kind of resource the
template declares (SAM's resources as what SAM turns them into), what `sam deploy` needs around them (the
change sets, the SAM transform, SAM's managed bucket), what `make deploy` does first (the SSM parameters)
and what `make publish` does after. A test fails when the template gains a kind of resource this module
does not know, so the list cannot fall behind the template.

    python -m infra.deploy_role            the deploy role's policy (JSON, to paste into IAM)
    python -m infra.deploy_role --publish  the publish-only role's policy (the daily publish)
"""

import argparse
import json

from project.template import read_template

# What SAM turns its own resource types into (for the events and settings this template uses).
SAM_EXPANSIONS = {
    "AWS::Serverless::Function": (
        "AWS::Lambda::Function",
        "AWS::IAM::Role",
        "AWS::Lambda::Permission",  # HttpApi events
        "AWS::Lambda::EventSourceMapping",  # the DynamoDB stream event
        "AWS::Events::Rule",  # EventBridgeRule events (SES's bounces and complaints)
        "AWS::Scheduler::Schedule",  # ScheduleV2 events (the staff digest), with a role of its own
    ),
    "AWS::Serverless::HttpApi": ("AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage"),
}

_APIGATEWAY = ("apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE")
_TAGS = ("TagResource", "UntagResource", "ListTagsForResource")

# The actions CloudFormation calls to create, read, update and delete each kind of resource.
RESOURCE_ACTIONS = {
    "AWS::DynamoDB::Table": [
        "dynamodb:CreateTable",
        "dynamodb:DescribeTable",
        "dynamodb:UpdateTable",
        "dynamodb:DeleteTable",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:UpdateTimeToLive",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:UpdateContinuousBackups",
        "dynamodb:DescribeContributorInsights",
        "dynamodb:DescribeKinesisStreamingDestination",
        "dynamodb:ListTagsOfResource",
        "dynamodb:TagResource",
        "dynamodb:UntagResource",
    ],
    "AWS::Lambda::Function": [
        "lambda:CreateFunction",
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "lambda:DeleteFunction",
        "lambda:PutFunctionConcurrency",
        "lambda:DeleteFunctionConcurrency",
        "lambda:GetFunctionCodeSigningConfig",
        "lambda:GetRuntimeManagementConfig",
        "lambda:ListTags",
        "lambda:TagResource",
        "lambda:UntagResource",
    ],
    "AWS::IAM::Role": [
        "iam:CreateRole",
        "iam:GetRole",
        "iam:DeleteRole",
        "iam:UpdateAssumeRolePolicy",
        "iam:PutRolePolicy",
        "iam:GetRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:PassRole",
    ],
    "AWS::Lambda::Permission": ["lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy"],
    "AWS::Lambda::EventSourceMapping": [
        "lambda:CreateEventSourceMapping",
        "lambda:GetEventSourceMapping",
        "lambda:UpdateEventSourceMapping",
        "lambda:DeleteEventSourceMapping",
        "lambda:ListEventSourceMappings",
    ],
    "AWS::ApiGatewayV2::Api": [*_APIGATEWAY],
    # An HTTP API stage with access logging: API Gateway sets up the delivery to CloudWatch Logs.
    "AWS::ApiGatewayV2::Stage": [
        *_APIGATEWAY,
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
    ],
    "AWS::ApiGatewayV2::DomainName": [*_APIGATEWAY, "acm:DescribeCertificate"],
    "AWS::ApiGatewayV2::ApiMapping": [*_APIGATEWAY],
    "AWS::Logs::LogGroup": [
        "logs:CreateLogGroup",
        "logs:DeleteLogGroup",
        "logs:DescribeLogGroups",
        "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy",
        *(f"logs:{action}" for action in _TAGS),
    ],
    "AWS::CloudWatch::Alarm": [
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:DeleteAlarms",
        *(f"cloudwatch:{action}" for action in _TAGS),
    ],
    "AWS::SQS::Queue": [
        "sqs:CreateQueue",
        "sqs:GetQueueUrl",
        "sqs:GetQueueAttributes",
        "sqs:SetQueueAttributes",
        "sqs:DeleteQueue",
        "sqs:ListQueueTags",
        "sqs:TagQueue",
        "sqs:UntagQueue",
    ],
    "AWS::SNS::Topic": [
        "sns:CreateTopic",
        "sns:GetTopicAttributes",
        "sns:SetTopicAttributes",
        "sns:DeleteTopic",
        "sns:Subscribe",
        "sns:Unsubscribe",
        "sns:GetSubscriptionAttributes",
        "sns:ListSubscriptionsByTopic",
        *(f"sns:{action}" for action in _TAGS),
    ],
    "AWS::SES::ConfigurationSet": [
        "ses:CreateConfigurationSet",
        "ses:GetConfigurationSet",
        "ses:DeleteConfigurationSet",
        "ses:PutConfigurationSetDeliveryOptions",
        "ses:PutConfigurationSetReputationOptions",
        "ses:PutConfigurationSetSendingOptions",
        "ses:PutConfigurationSetSuppressionOptions",
        "ses:PutConfigurationSetTrackingOptions",
        "ses:TagResource",
        "ses:UntagResource",
    ],
    "AWS::SES::ConfigurationSetEventDestination": [
        "ses:CreateConfigurationSetEventDestination",
        "ses:UpdateConfigurationSetEventDestination",
        "ses:DeleteConfigurationSetEventDestination",
        "ses:GetConfigurationSetEventDestinations",
    ],
    "AWS::Events::Rule": [
        "events:PutRule",
        "events:DescribeRule",
        "events:DeleteRule",
        "events:EnableRule",
        "events:DisableRule",
        "events:PutTargets",
        "events:RemoveTargets",
        "events:ListTargetsByRule",
        *(f"events:{action}" for action in _TAGS),
    ],
    "AWS::Scheduler::Schedule": [
        "scheduler:CreateSchedule",
        "scheduler:GetSchedule",
        "scheduler:UpdateSchedule",
        "scheduler:DeleteSchedule",
    ],
    "AWS::SES::EmailIdentity": [
        "ses:CreateEmailIdentity",
        "ses:GetEmailIdentity",
        "ses:DeleteEmailIdentity",
        "ses:PutEmailIdentityDkimAttributes",
        "ses:PutEmailIdentityDkimSigningAttributes",
        "ses:PutEmailIdentityFeedbackAttributes",
        "ses:PutEmailIdentityMailFromAttributes",
        "ses:PutEmailIdentityConfigurationSetAttributes",
        "ses:TagResource",
        "ses:UntagResource",
    ],
    "AWS::S3::Bucket": [
        "s3:CreateBucket",
        "s3:DeleteBucket",
        "s3:ListBucket",
        "s3:GetBucketLocation",
        "s3:PutBucketPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
        "s3:PutEncryptionConfiguration",
        "s3:GetEncryptionConfiguration",
        "s3:PutBucketOwnershipControls",
        "s3:GetBucketOwnershipControls",
        "s3:PutBucketVersioning",
        "s3:GetBucketVersioning",
        "s3:PutBucketTagging",
        "s3:GetBucketTagging",
        "s3:PutLifecycleConfiguration",
        "s3:GetLifecycleConfiguration",
    ],
    "AWS::S3::BucketPolicy": ["s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"],
    "AWS::CloudFront::OriginAccessControl": [
        "cloudfront:CreateOriginAccessControl",
        "cloudfront:GetOriginAccessControl",
        "cloudfront:UpdateOriginAccessControl",
        "cloudfront:DeleteOriginAccessControl",
    ],
    "AWS::CloudFront::Function": [
        "cloudfront:CreateFunction",
        "cloudfront:DescribeFunction",
        "cloudfront:GetFunction",
        "cloudfront:UpdateFunction",
        "cloudfront:PublishFunction",
        "cloudfront:DeleteFunction",
    ],
    "AWS::CloudFront::OriginRequestPolicy": [
        "cloudfront:CreateOriginRequestPolicy",
        "cloudfront:GetOriginRequestPolicy",
        "cloudfront:UpdateOriginRequestPolicy",
        "cloudfront:DeleteOriginRequestPolicy",
    ],
    "AWS::CloudFront::ResponseHeadersPolicy": [
        "cloudfront:CreateResponseHeadersPolicy",
        "cloudfront:GetResponseHeadersPolicy",
        "cloudfront:UpdateResponseHeadersPolicy",
        "cloudfront:DeleteResponseHeadersPolicy",
    ],
    "AWS::CloudFront::CachePolicy": [
        "cloudfront:CreateCachePolicy",
        "cloudfront:GetCachePolicy",
        "cloudfront:UpdateCachePolicy",
        "cloudfront:DeleteCachePolicy",
    ],
    "AWS::CloudFront::Distribution": [
        "cloudfront:CreateDistribution",
        "cloudfront:GetDistribution",
        "cloudfront:GetDistributionConfig",
        "cloudfront:UpdateDistribution",
        "cloudfront:DeleteDistribution",
        "cloudfront:TagResource",
        "cloudfront:UntagResource",
        "cloudfront:ListTagsForResource",
        "acm:DescribeCertificate",
        "acm:ListCertificates",
        "ssm:GetParameters",  # the origin secret's dynamic reference
    ],
    "AWS::IAM::ManagedPolicy": [
        "iam:CreatePolicy",
        "iam:GetPolicy",
        "iam:GetPolicyVersion",
        "iam:ListPolicyVersions",
        "iam:CreatePolicyVersion",
        "iam:DeletePolicyVersion",
        "iam:DeletePolicy",
    ],
}

# `sam deploy` itself: a change set on the stack through the SAM transform, and SAM's own stack and bucket
# for the code (`resolve_s3 = true` in samconfig.toml); `make deploy` first reads (and once creates) the
# forms' SSM parameters.
DEPLOY_ACTIONS = [
    "cloudformation:CreateChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:DeleteChangeSet",
    "cloudformation:DescribeStacks",
    "cloudformation:DescribeStackEvents",
    "cloudformation:DescribeStackResources",
    "cloudformation:GetTemplate",
    "cloudformation:GetTemplateSummary",
    "cloudformation:ListStackResources",
    "s3:CreateBucket",
    "s3:PutObject",
    "s3:GetObject",
    "s3:PutBucketPolicy",
    "s3:PutBucketVersioning",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutEncryptionConfiguration",
    "s3:PutBucketTagging",
    "ssm:GetParameter",
    "ssm:PutParameter",
]

# `make publish`: the stack's outputs, the site bucket, the distribution's cache.
PUBLISH_ACTIONS = [
    "cloudformation:DescribeStacks",
    "s3:ListBucket",
    "s3:PutObject",
    "s3:DeleteObject",
    "cloudfront:CreateInvalidation",
]


def resource_types(template=None):
    """Every kind of resource the deployed stack holds: the template's, SAM's as what SAM makes of them."""
    template = template or read_template()
    types = set()
    for resource in template["Resources"].values():
        types.update(SAM_EXPANSIONS.get(resource["Type"], (resource["Type"],)))
    return types


def unknown_types(template=None):
    return sorted(kind for kind in resource_types(template) if kind not in RESOURCE_ACTIONS)


def policy(publish_only=False):
    """The IAM policy document for the deploy role, or (`publish_only`) for the daily publish's role."""
    if publish_only:
        statements = [
            {"Sid": "Publish", "Effect": "Allow", "Action": sorted(set(PUBLISH_ACTIONS)), "Resource": "*"}
        ]
    else:
        managed = {action for kind in resource_types() for action in RESOURCE_ACTIONS[kind]}
        statements = [
            {"Sid": "SamDeploy", "Effect": "Allow", "Action": sorted(set(DEPLOY_ACTIONS)), "Resource": "*"},
            {"Sid": "StackResources", "Effect": "Allow", "Action": sorted(managed), "Resource": "*"},
            {"Sid": "Publish", "Effect": "Allow", "Action": sorted(set(PUBLISH_ACTIONS)), "Resource": "*"},
        ]
    return {"Version": "2012-10-17", "Statement": statements}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publish", action="store_true", help="the publish-only role's policy")
    arguments = parser.parse_args(argv)
    missing = unknown_types()
    if missing:
        raise SystemExit(f"infra/deploy_role.py does not know these resource types yet: {', '.join(missing)}")
    print(json.dumps(policy(publish_only=arguments.publish), indent=2))


if __name__ == "__main__":
    main()
