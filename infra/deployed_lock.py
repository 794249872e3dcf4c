"""The policy lock the deployed functions carry, named in the stack so `make publish` can check it.

The functions read from `functions/jtec_forms/policy_lock.json` which policy versions exist; the site
names the versions of the checkout it is built from. Published from a newer checkout than the functions
were deployed from, the site would name a version the functions do not know, and every form would
answer 400. So the template's output `PolicyLockSha256` holds the sha256 of the lock file (written here
by `make lock`; a test fails while it is stale): one `sam deploy` puts the functions' code and that
output live together, or rolls both back, and `make publish` refuses when the live stack's value is not
the sha256 of the lock it is about to publish.

    python -m infra.deployed_lock        (make lock: record the lock's sha256 in infra/template.yaml)
"""

import hashlib
import re
import sys
from pathlib import Path

from infra.deployment import NotReady
from project import PROJECT_DIR
from project.template import TEMPLATE, read_template

LOCK_FILE = PROJECT_DIR / "functions" / "jtec_forms" / "policy_lock.json"
OUTPUT = "PolicyLockSha256"
# The output's `Value:` line in the template (the only place this module writes).
_VALUE_LINE = re.compile(rf"^(  {OUTPUT}:\n(?:    (?!Value:).*\n)*    Value: )(\S*)$", re.MULTILINE)


def lock_sha256(lock_file=LOCK_FILE):
    return hashlib.sha256(Path(lock_file).read_bytes()).hexdigest()


def recorded(template_path=TEMPLATE):
    """The sha256 the template deploys as its output, or None when it has no such output."""
    output = read_template(template_path).get("Outputs", {}).get(OUTPUT)
    return output and str(output["Value"])


def record(template_path=TEMPLATE, lock_file=LOCK_FILE):
    """Write the lock's sha256 into the template's output; True when the template changed."""
    template_path = Path(template_path)
    text = template_path.read_text(encoding="utf-8")
    if not _VALUE_LINE.search(text):
        raise NotReady(f"{template_path} has no output {OUTPUT} with a Value line to record the lock in")
    updated = _VALUE_LINE.sub(
        lambda found: f'{found[1]}"{lock_sha256(lock_file)}"', text
    )  # quoted: hex can read as a number
    template_path.write_text(updated, encoding="utf-8")
    return updated != text


def check_recorded(template_path=TEMPLATE, lock_file=LOCK_FILE):
    """Before a deploy: the template names the lock the functions are about to be built with."""
    if recorded(template_path) != lock_sha256(lock_file):
        raise NotReady(
            f"infra/template.yaml's {OUTPUT} is not the sha256 of {Path(lock_file).name}: run `make lock` "
            "and commit what it changes, so the stack names the lock its functions carry"
        )


def check_deployed(outputs, stack_name, lock_file=LOCK_FILE):
    """Before a publish: the live functions carry the lock this site is built against."""
    deployed = outputs.get(OUTPUT)
    wanted = lock_sha256(lock_file)
    if deployed == wanted:
        return
    found = (
        f"sha256 {deployed}"
        if deployed
        else "no record of its policy lock (deployed before the check existed)"
    )
    raise NotReady(
        f"The functions of stack {stack_name!r} were deployed with {found}, but this site is built against "
        f"{Path(lock_file).name} with sha256 {wanted}. A site naming a policy version the functions do not "
        "know makes every form answer 400, so nothing was published: deploy this commit first (make deploy, "
        "or the deploy job of the workflow), then publish."
    )


def main():
    try:
        changed = record()
    except NotReady as error:
        print(f"make lock: {error}", file=sys.stderr)
        return 2
    print(f"infra/template.yaml {OUTPUT}: {'updated' if changed else 'up to date'} ({lock_sha256()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
