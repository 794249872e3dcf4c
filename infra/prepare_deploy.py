"""`make deploy`, before `sam build` and `sam deploy`: stop early, with the fix, when the deployment
cannot work, and create the forms' secret the first time.

- `sam build` bundles the functions for their runtime: Python 3.12 on PATH (or `--use-container`).
- Every template parameter without a default must be given: infra/samconfig.toml's parameter_overrides,
  which `make deploy SAM_DEPLOY_FLAGS=--guided` writes, or the deploy is guided.
- The template names the policy lock the functions are built with (infra/deployed_lock.py: `make lock`).
- AWS credentials are needed (an SSO session, a profile, or the workflow's OIDC role).
- The key for subject HMACs and signed links is an SSM SecureString, which CloudFormation cannot
  create: made here once, from 48 random bytes, and never replaced (a new key would make everyone's
  data unfindable for erasure and access, and every emailed link invalid). The value CloudFront sends
  the API to prove a request came through it is made here too (an SSM String, so the distribution can
  read it), never written in the template or the repository.

    SAM_BUILD_FLAGS=... SAM_DEPLOY_FLAGS=... python -m infra.prepare_deploy      (make deploy)
"""

import os
import secrets
import shlex
import shutil
import sys

from infra import deployed_lock
from infra.deployment import NotReady, deploy_settings, session
from project.template import read_template


def parameters():
    """The template's parameters as samconfig gives them, defaults filled in (None: not given)."""
    given = dict(pair.split("=", 1) for pair in shlex.split(deploy_settings().get("parameter_overrides", "")))
    return {
        name: given.get(name, spec.get("Default")) for name, spec in read_template()["Parameters"].items()
    }


def missing_parameters(deploy_flags):
    """Template parameters without a default that neither samconfig nor the flags give."""
    if "--guided" in deploy_flags or "--parameter-overrides" in deploy_flags:
        return []
    return [name for name, value in parameters().items() if value is None]


def check_build_runtime(build_flags):
    runtime = read_template()["Globals"]["Function"]["Runtime"]  # e.g. python3.12
    if "--use-container" not in build_flags and shutil.which(runtime) is None:
        raise NotReady(
            f"sam build needs {runtime} on PATH to bundle the functions for their runtime: install it, "
            'or run with SAM_BUILD_FLAGS="--use-container" (needs Docker)'
        )


# The parameters made here once and never replaced: (template parameter naming it, SSM type, what it is).
SECRETS = (
    (
        "AppSecretParameter",
        "SecureString",
        "JTec forms: key for subject HMACs and signed links. Never change it.",
    ),
    (
        "OriginSecretParameter",
        "String",  # CloudFront reads it through a dynamic reference, which takes String parameters only
        "JTec forms: the header value CloudFront sends the API (X-Origin-Verify); the API refuses requests without it.",
    ),
)


def ensure_secret(ssm, name, kind="SecureString", description=""):
    """Create the parameter, from 48 random bytes, if it does not exist (looked up first, so a deploy
    that finds it needs no right to write it); never change it. True if it was created."""
    try:
        ssm.get_parameter(Name=name)
        return False
    except ssm.exceptions.ParameterNotFound:
        pass
    try:
        ssm.put_parameter(
            Name=name, Type=kind, Value=secrets.token_hex(48), Description=description, Overwrite=False
        )
    except ssm.exceptions.ParameterAlreadyExists:
        return False
    return True


def main():
    from botocore.exceptions import BotoCoreError, ClientError

    names = parameters()
    made = []
    try:
        check_build_runtime(os.environ.get("SAM_BUILD_FLAGS", ""))
        deployed_lock.check_recorded()
        missing = missing_parameters(os.environ.get("SAM_DEPLOY_FLAGS", ""))
        if missing:
            raise NotReady(
                f"No value for {', '.join(missing)}: run `make deploy SAM_DEPLOY_FLAGS=--guided` once; it asks "
                "for them and saves them in infra/samconfig.toml (docs/deploying.md)"
            )
        ssm = session().client("ssm")
        for parameter, kind, description in SECRETS:
            made.append((names[parameter], ensure_secret(ssm, names[parameter], kind, description)))
    except NotReady as error:
        print(f"make deploy: {error}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as error:
        print(f"make deploy: AWS refused to create the secrets: {error}", file=sys.stderr)
        return 2
    for name, created in made:
        print(f"Secret {name}: {'created' if created else 'already there, left as it is'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
