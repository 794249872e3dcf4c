"""`make publish`: build the site for production and put it live.

Reads the deployed stack's outputs (the site's address, the analytics id, the bucket, the distribution),
refuses when its functions carry another policy lock than this checkout's (infra/deployed_lock.py), builds with `publishconf.py` for that address, uploads what changed to the bucket with the Content-Type
and Cache-Control each file needs, deletes what the build no longer has, and invalidates CloudFront so
a new policy version shows on its day.

    python -m infra.publish                       (make publish: everything from the stack's outputs)
    python -m infra.publish [--stack S] --bucket B --distribution D --site-url https://... [--no-build]
"""

import argparse
import fnmatch
import hashlib
import mimetypes
import os
import sys
import time
from pathlib import Path

from infra import deployed_lock
from infra.deployment import NotReady, deploy_settings, session
from plugins.asset_versions import HASHED_NAME

PROJECT_DIR = Path(__file__).resolve().parent.parent
OUTPUT_DIR = PROJECT_DIR / "output"

# Assets under content-hashed names (plugins/asset_versions) never change: a year, without asking again.
ASSET = "public, max-age=31536000, immutable"
# Everything else (pages, feeds, plain-named assets): browsers ask every time (the ETag makes that
# cheap); CloudFront keeps a copy an hour at most, and each publish invalidates it.
PAGE = "public, max-age=0, s-maxage=3600, must-revalidate"
TEXT_TYPES = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")
EXTRA_TYPES = {".js": "application/javascript", ".svg": "image/svg+xml", ".xml": "application/xml"}


# Keys placed in the bucket by hand that no build has, and publishing never deletes (docs/deploying.md):
# the /.well-known/ files (security.txt, domain verification) and search engines' verification files.
KEPT = (".well-known/*", "google*.html", "BingSiteAuth.xml", "yandex_*.html")


def kept(key):
    return any(fnmatch.fnmatchcase(key, pattern) for pattern in KEPT)


def cache_control(key):
    return ASSET if HASHED_NAME.search(key) else PAGE


def content_type(key):
    kind = EXTRA_TYPES.get(Path(key).suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith(TEXT_TYPES) else kind


def local_files(output_dir):
    """{object key: path} for every file of the build. A symlink is never followed (it could point
    anywhere on this machine), nor is anything under a symlinked directory."""
    files = {}
    for folder, _subfolders, names in os.walk(output_dir):  # os.walk does not descend into symlinks
        for name in names:
            path = Path(folder) / name
            if not path.is_symlink() and path.is_file():
                files[path.relative_to(output_dir).as_posix()] = path
    return dict(sorted(files.items()))


def md5(path):
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def plan(files, existing):
    """(keys to upload, keys to delete): new or changed files (by their MD5, which is a single-part
    upload's ETag), assets before pages so no page goes live before what it loads; stale keys, except
    those placed by hand (KEPT)."""
    changed = [key for key, path in files.items() if existing.get(key) != md5(path)]
    changed.sort(key=lambda key: (cache_control(key) != ASSET, key))
    return changed, sorted(key for key in set(existing) - set(files) if not kept(key))


def existing_objects(s3, bucket):
    objects = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            objects[item["Key"]] = item["ETag"].strip('"')
    return objects


def sync(s3, bucket, output_dir):
    files = local_files(output_dir)
    if "index.html" not in files:
        raise NotReady(f"{output_dir} has no index.html: build the site first")
    uploads, deletions = plan(files, existing_objects(s3, bucket))
    for key in uploads:
        # One PutObject per file: its ETag is the file's MD5, which the next publish compares (upload_file
        # would go multipart above 8 MB, whose ETag is no MD5, and re-upload that file every time).
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=files[key].read_bytes(),
            ContentType=content_type(key),
            CacheControl=cache_control(key),
        )
    for start in range(0, len(deletions), 1000):
        batch = [{"Key": key} for key in deletions[start : start + 1000]]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
    return uploads, deletions


def invalidate(cloudfront, distribution):
    answer = cloudfront.create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(time.time_ns())},
    )
    return answer["Invalidation"]["Id"]


def stack_outputs(cloudformation, stack_name):
    from botocore.exceptions import ClientError

    try:
        [stack] = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as error:
        raise NotReady(f"No stack {stack_name!r} to publish to: run make deploy first ({error})") from None
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def build(site_url, analytics_id, output_dir):
    """The production build (publishconf.py) for the site's address, as `make build` makes it."""
    from project.site import BuildFailed, build_site

    try:
        build_site(
            output_dir,
            settings_file=PROJECT_DIR / "publishconf.py",
            env={"SITEURL": site_url, "GA_MEASUREMENT_ID": analytics_id},
        )
    except BuildFailed as failure:
        raise NotReady(f"The site did not build, so nothing was published:\n{failure}") from None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", help="the deployed stack (default: infra/samconfig.toml's stack_name)")
    parser.add_argument("--bucket")
    parser.add_argument("--distribution")
    parser.add_argument("--site-url")
    parser.add_argument("--analytics-id", default="")
    parser.add_argument("--output", type=Path, default=OUTPUT_DIR, help="the built site (default: output/)")
    parser.add_argument("--no-build", action="store_true", help="publish the built site as it is")
    arguments = parser.parse_args(argv)
    from botocore.exceptions import ClientError

    try:
        aws = session()
        stack_name = arguments.stack or deploy_settings()["stack_name"]
        outputs = stack_outputs(aws.client("cloudformation"), stack_name)
        deployed_lock.check_deployed(outputs, stack_name)
        if not (arguments.bucket and arguments.distribution and arguments.site_url):
            arguments.bucket = arguments.bucket or outputs["SiteBucketName"]
            arguments.distribution = arguments.distribution or outputs["DistributionId"]
            arguments.site_url = arguments.site_url or outputs["SiteUrl"]
            arguments.analytics_id = arguments.analytics_id or outputs.get("AnalyticsId", "")
        if not arguments.no_build:
            build(arguments.site_url, arguments.analytics_id, arguments.output)
        uploads, deletions = sync(aws.client("s3"), arguments.bucket, arguments.output)
        invalidation = invalidate(aws.client("cloudfront"), arguments.distribution)
    except NotReady as error:
        print(f"make publish: {error}", file=sys.stderr)
        return 2
    except ClientError as error:
        print(f"make publish: AWS refused: {error}", file=sys.stderr)
        return 2
    print(
        f"Published {arguments.site_url}: {len(uploads)} files uploaded, {len(deletions)} removed, "
        f"CloudFront invalidation {invalidation} (live everywhere within minutes)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
