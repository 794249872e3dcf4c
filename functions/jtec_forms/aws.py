"""The functions' AWS clients, made by botocore alone.

boto3 adds nothing the functions use (no resources, no transfers), but its import brings s3transfer and
its own session: about 100 ms of every cold start (docs/performance.md). One botocore session, as boto3's
default session would be: credentials, region and endpoint from the environment, service models loaded
once for all clients."""

import functools

from jtec_forms import config


@functools.cache
def _session():
    import botocore.session

    return botocore.session.get_session()


def client(service):
    """A client for `service` with the functions' timeouts and retries (config.aws_client_config)."""
    return _session().create_client(service, config=config.aws_client_config(service))


def forget():
    """Start again from the environment as it is now (the local stack and tests change it)."""
    _session.cache_clear()
