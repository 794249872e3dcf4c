"""The embedded AWS of `make serve`: moto in server mode on 127.0.0.1, reached by boto3 over HTTP from
other processes and in this one without it (local/aws_in_process.py), with the data table created from
`infra/template.yaml` and a verified SES sender."""

import functools
import logging
import os
import secrets

from local import aws_in_process, moto_snapshot
from local.server import STOP_CHECK_SECONDS
from project.policy_facts import DATA_REGION
from project.template import CREATE_TABLE_KEYS, TEMPLATE, table_definition

REGION = DATA_REGION  # the deployment's region, as the policy states it


def create_table(dynamodb_client, table_name, template_path=TEMPLATE):
    """Create the table from the template, then switch on TTL (moto's CreateTable ignores it)."""
    properties = table_definition(template_path)
    arguments = {key: properties[key] for key in CREATE_TABLE_KEYS if key in properties}
    if "SSESpecification" in arguments:
        arguments["SSESpecification"] = {"Enabled": properties["SSESpecification"]["SSEEnabled"]}
    stream = properties.get("StreamSpecification")
    if stream:
        arguments["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    dynamodb_client.create_table(TableName=table_name, **arguments)
    ttl = properties["TimeToLiveSpecification"]
    dynamodb_client.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": ttl["Enabled"]},
    )
    return ttl["AttributeName"]


# Host names that reach this machine's loopback; anything else in Host is a name rebound to 127.0.0.1.
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]"}


def local_tools_only(app):
    """Wrap moto's WSGI app so it answers tools on this machine (boto3, jtec) and nothing else: a request
    with an Origin header comes from a web page (a page of any site, in the developer's browser, that
    found the port could otherwise read the outbox's live links and the table), and a Host other than
    loopback is a rebound name. Both get 403, without CORS headers."""

    def guarded(environ, start_response):
        host = environ.get("HTTP_HOST", "").rsplit(":", 1)[0]
        if "HTTP_ORIGIN" in environ or host not in LOOPBACK_HOSTS:
            body = b"The embedded AWS answers local tools only\n"
            start_response(
                "403 Forbidden", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
            )
            return [body]
        return app(environ, start_response)

    return guarded


class LocalOnlyMotoServer:
    """moto in server mode on 127.0.0.1 (a free port), in a thread of this process, behind
    `local_tools_only`."""

    def __init__(self):
        self.server = None
        self.thread = None
        self.endpoint = None

    def start(self):
        import threading

        from moto.server import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        app = local_tools_only(DomainDispatcherApplication(create_backend_app))
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.endpoint = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(STOP_CHECK_SECONDS,), daemon=True
        )
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


class LocalAws:
    """moto server in this process; sets the environment the functions read, then creates resources."""

    def __init__(self, site_url, table_name="jtec-local", mail_from="JTec IT Solutions <forms@jtec.invalid>"):
        self.site_url = site_url
        self.table_name = table_name
        self.mail_from = mail_from
        self.staff_email = "staff@jtec.invalid"
        self.server = None
        self.endpoint = None
        self._made = None  # the snapshot of the resources as first made (see `empty`)
        self.restored_from_snapshot = False

    def start(self):
        from local import moto_patches

        moto_patches.apply()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.server = LocalOnlyMotoServer().start()
        self.endpoint = self.server.endpoint
        aws_in_process.serve(self.endpoint)
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_SESSION_TOKEN": "testing",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "TABLE_NAME": self.table_name,
                "SITE_URL": self.site_url,
                "MAIL_FROM": self.mail_from,
                "STAFF_EMAIL": self.staff_email,
                "APP_SECRET": os.environ.get("APP_SECRET") or secrets.token_hex(32),
                # What CloudFront sends the API to prove a request came through it (local/api.py adds it).
                "ORIGIN_SECRET": os.environ.get("ORIGIN_SECRET") or secrets.token_urlsafe(32),
                "POWERTOOLS_SERVICE_NAME": "jtec-forms",
            }
        )
        os.environ.pop("APP_SECRET_PARAMETER", None)
        os.environ.pop("ORIGIN_SECRET_PARAMETER", None)
        from jtec_forms import aws, config, mailer, store

        config.clear()
        aws.forget()  # clients made for an earlier embedded AWS point at its old port
        store.table.cache_clear()
        mailer._client.cache_clear()
        self.empty()
        return self

    def reset(self):
        """Empty the embedded AWS: what its `/moto-api/reset` does, here (moto keeps its state per process,
        and its server runs in this one)."""
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()

    def empty(self):
        """Start again with an empty table and outbox (tests and benchmarks between runs): a reset, then the
        resources as `create_resources` first made them, from a snapshot (local/moto_snapshot.py)."""
        self.reset()
        if self._made is None:
            self.create_resources()
            self._made = moto_snapshot.take()
            self.restored_from_snapshot = False
        else:
            moto_snapshot.restore(self._made)
            self.restored_from_snapshot = True

    def create_resources(self):
        """The table (from the template) and the verified SES sender, in a new or reset moto."""
        self.ttl_attribute = create_table(self.clients["dynamodb"], self.table_name)
        self.clients["ses"].verify_email_identity(EmailAddress="forms@jtec.invalid")
        # The expiry audit's on-failure queue (infra/template.yaml), whose waiting messages the digest counts.
        self.failure_queue_url = self.clients["sqs"].create_queue(
            QueueName=f"{self.table_name}-expiry-audit-failures"
        )["QueueUrl"]
        os.environ["FAILURE_QUEUE_URL"] = self.failure_queue_url

    @functools.cached_property
    def clients(self):
        """This embedded AWS's DynamoDB, SES and SQS clients, made once (tests empty it hundreds of times)."""
        import boto3

        return {
            service: boto3.client(service, endpoint_url=self.endpoint)
            for service in ("dynamodb", "ses", "sqs")
        }

    def stop(self):
        if self.server is not None:
            aws_in_process.forget(self.endpoint)
            self.server.stop()
