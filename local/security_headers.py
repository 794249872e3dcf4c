"""Security headers sent with every response of the local server: the ones CloudFront sends in AWS, read
from the response headers policy in `infra/template.yaml` (one source), less HSTS, which means nothing
over plain HTTP on 127.0.0.1."""

from project.template import read_template

HEADERS_POLICY_RESOURCE = "SecurityHeaders"


def headers_policy():
    """The CloudFront response headers policy's configuration, as the template declares it."""
    resource = read_template()["Resources"][HEADERS_POLICY_RESOURCE]
    return resource["Properties"]["ResponseHeadersPolicyConfig"]


def cloudfront_headers(config):
    """The headers CloudFront adds for a response headers policy configuration (name: value)."""
    security = config["SecurityHeadersConfig"]
    headers = {
        "Content-Security-Policy": security["ContentSecurityPolicy"]["ContentSecurityPolicy"],
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": security["FrameOptions"]["FrameOption"],
        "Referrer-Policy": security["ReferrerPolicy"]["ReferrerPolicy"],
    }
    hsts = security["StrictTransportSecurity"]
    headers["Strict-Transport-Security"] = "; ".join(
        [f"max-age={hsts['AccessControlMaxAgeSec']}"]
        + (["includeSubDomains"] if hsts.get("IncludeSubdomains") else [])
        + (["preload"] if hsts.get("Preload") else [])
    )
    for item in config.get("CustomHeadersConfig", {}).get("Items", []):
        headers[item["Header"]] = item["Value"]
    return headers


HTTPS_ONLY = {"Strict-Transport-Security"}
SECURITY_HEADERS = {
    name: value for name, value in cloudfront_headers(headers_policy()).items() if name not in HTTPS_ONLY
}
