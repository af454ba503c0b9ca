"""A PEP 517 build backend in the standard library only, so ``pip install <this folder>`` works
offline and without setuptools. It builds a pure-Python wheel of the ``carbontracker`` package
and ``carbontracker_ipc``, and records the npm package's CLI it was built beside as the engine of
the installed copy (``carbontracker/_origin.py``)."""

import base64
import hashlib
import os
import re
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
NAME = "carbontracker"
TAG = "py3-none-any"
MODULES = ["carbontracker_ipc.py"]


def _version():
    with open(os.path.join(HERE, NAME, "__init__.py"), encoding="utf-8") as f:
        return re.search(r'^__version__ = "([^"]+)"', f.read(), re.M).group(1)


def _metadata():
    return (
        "Metadata-Version: 2.1\n"
        "Name: %s\n"
        "Version: %s\n"
        "Summary: The carbontracker Python API, measured by the carbontracker npm package's engine.\n"
        "License: MIT\n"
        "Requires-Python: >=3.8\n" % (NAME, _version())
    )


def _dist_info():
    return "%s-%s.dist-info" % (NAME, _version())


def _wheel_file():
    return "Wheel-Version: 1.0\nGenerator: _carbontracker_build\nRoot-Is-Purelib: true\nTag: %s\n" % TAG


def _sources():
    files = [(m, os.path.join(HERE, m)) for m in MODULES]
    package = os.path.join(HERE, NAME)
    for name in sorted(os.listdir(package)):
        if name.endswith(".py") and name != "_origin.py":
            files.append(("%s/%s" % (NAME, name), os.path.join(package, name)))
    return files


def _origin():
    root = os.path.dirname(os.path.dirname(HERE))
    bundle = os.path.join(root, "dist", "bundle", "cli.cjs")
    engine = bundle if os.path.isfile(bundle) else os.path.join(root, "dist", "src", "cli", "main.js")
    if not os.path.isfile(engine):
        return None
    return '"""Written by the build: the CLI of the npm package this copy was built from."""\n\nENGINE = %r\n' % engine


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return "%s,sha256=%s,%d" % (path, digest, len(data))


def _write_wheel(wheel_directory, entries):
    info = _dist_info()
    entries = entries + [
        ("%s/METADATA" % info, _metadata().encode("utf-8")),
        ("%s/WHEEL" % info, _wheel_file().encode("utf-8")),
        ("%s/top_level.txt" % info, ("%s\ncarbontracker_ipc\n" % NAME).encode("utf-8")),
    ]
    record = [_record_line(path, data) for path, data in entries] + ["%s/RECORD,," % info]
    entries.append(("%s/RECORD" % info, ("\n".join(record) + "\n").encode("utf-8")))
    filename = "%s-%s-%s.whl" % (NAME, _version(), TAG)
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in entries:
            wheel.writestr(zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0)), data)
    return filename


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    info = os.path.join(metadata_directory, _dist_info())
    os.makedirs(info, exist_ok=True)
    for name, text in (("METADATA", _metadata()), ("WHEEL", _wheel_file())):
        with open(os.path.join(info, name), "w", encoding="utf-8") as f:
            f.write(text)
    return _dist_info()


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    entries = []
    for path, source in _sources():
        with open(source, "rb") as f:
            entries.append((path, f.read()))
    origin = _origin()
    if origin:
        entries.append(("%s/_origin.py" % NAME, origin.encode("utf-8")))
    return _write_wheel(wheel_directory, entries)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [("%s.pth" % NAME, (HERE + "\n").encode("utf-8"))])


def build_sdist(sdist_directory, config_settings=None):
    base = "%s-%s" % (NAME, _version())
    filename = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as sdist:
        for path, source in _sources() + [
            ("pyproject.toml", os.path.join(HERE, "pyproject.toml")),
            ("_carbontracker_build.py", os.path.join(HERE, "_carbontracker_build.py")),
        ]:
            sdist.add(source, arcname="%s/%s" % (base, path))
        info = tarfile.TarInfo("%s/PKG-INFO" % base)
        data = _metadata().encode("utf-8")
        info.size = len(data)
        import io

        sdist.addfile(info, io.BytesIO(data))
    return filename
