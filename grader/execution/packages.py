"""Which packages a submission needs, read statically on the host, and what the policy allows.

Sources: `requirements.txt` (and `requirements*.txt`), `environment.yml` (conda and pip
entries), and the imports of every code cell and `.py` file. Import names are mapped to
distributions (`sklearn` → `scikit-learn`, `cv2` → `opencv-python-headless`); the standard
library, the submission's own modules and tooling (jupyter, pip) are left out. Each package
is then `in_image` (the sandbox image's lock has it), or checked against the assignment's
policy: `base_only` installs nothing, `allow_list` installs what `allowed_packages` names,
`any` installs everything. Installing (wheels fetched on the host, a derived image) is done
by `grader.execution.image.derived`; this module does no I/O beyond reading the lock.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from grader import pyast
from grader.execution.profiles import normalise
from grader.models.assignment import PackagePolicy
from grader.models.execution import PackageRequest, PackageStatus
from grader.models.notebook import NotebookView

#: Import names whose distribution has another name.
IMPORT_TO_DISTRIBUTION = {
    "sklearn": "scikit-learn",
    "cv2": "opencv-python-headless",
    "PIL": "pillow",
    "yaml": "pyyaml",
    "bs4": "beautifulsoup4",
    "skimage": "scikit-image",
    "imblearn": "imbalanced-learn",
    "category_encoders": "category-encoders",
    "dateutil": "python-dateutil",
    "mpl_toolkits": "matplotlib",
    "pandas_profiling": "pandas-profiling",
    "ydata_profiling": "ydata-profiling",
    "scikitplot": "scikit-plot",
    "Levenshtein": "levenshtein",
    "sentence_transformers": "sentence-transformers",
    "google.protobuf": "protobuf",
    "tensorflow_hub": "tensorflow-hub",
    "lightgbm": "lightgbm",
    "xgboost": "xgboost",
    "Bio": "biopython",
    "dotenv": "python-dotenv",
    "docx": "python-docx",
    "jose": "python-jose",
    "sklearn_pandas": "sklearn-pandas",
    "featuretools": "featuretools",
    "umap": "umap-learn",
    "hdbscan": "hdbscan",
    "pmdarima": "pmdarima",
    "prophet": "prophet",
    "fbprophet": "fbprophet",
    "wordcloud": "wordcloud",
    "tqdm": "tqdm",
    "IPython": "ipython",
    "ipywidgets": "ipywidgets",
    "attr": "attrs",
    "OpenSSL": "pyopenssl",
    "Crypto": "pycryptodome",
    "magic": "python-magic",
    "serial": "pyserial",
    "zmq": "pyzmq",
}
#: Conda package names that differ from PyPI's.
CONDA_TO_PYPI = {
    "py-xgboost": "xgboost",
    "pytorch": "torch",
    "tensorflow-gpu": "tensorflow",
    "py-lightgbm": "lightgbm",
    "pillow-simd": "pillow",
    "matplotlib-base": "matplotlib",
    "libgfortran": "",
    "blas": "",
    "mkl": "",
    "python_abi": "",
    "cudatoolkit": "",
}
#: Tooling a notebook environment lists but a run does not need.
TOOLING = frozenset(
    {
        "python",
        "pip",
        "setuptools",
        "wheel",
        "jupyter",
        "jupyterlab",
        "notebook",
        "ipykernel",
        "ipython",
        "nb-conda",
        "nb-conda-kernels",
        "jupyter-client",
        "jupyter-core",
        "conda",
        "nbformat",
        "nbconvert",
        "nbclient",
        "ipywidgets",
        "widgetsnbextension",
        "pip-tools",
        "black",
        "flake8",
        "pylint",
        "mypy",
        "pytest",
        "isort",
        "ruff",
        "pre-commit",
    }
)
#: Distributions the image provides under another name (the CPU build of xgboost).
PROVIDED_AS = {"xgboost": "xgboost-cpu"}
#: Modules that are not distributions: the grader provides a stub (`google.colab`) or they are built in.
PROVIDED_MODULES = frozenset({"google.colab", "__future__", "thg_executor"})


def image_lock(profile: str | None = None) -> dict[str, str]:
    """Distributions in a profile's sandbox image (the current one by default) and their versions."""
    from grader.execution.profiles import default_profile, get_profile

    return (get_profile(profile) if profile else default_profile()).lock()


def stdlib_modules() -> frozenset[str]:
    """The standard library's top-level module names."""
    return frozenset(sys.stdlib_module_names)


@dataclass
class _Need:
    name: str
    imports: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    specifier: str = ""
    cell: int | None = None

    def add_source(self, source: str) -> None:
        if source not in self.sources and len(self.sources) < 10:
            self.sources.append(source)


def parse_requirement(line: str) -> tuple[str, str] | None:
    """(normalised name, specifier) of one requirements line, or None for options, URLs and blanks."""
    line = line.split(" #", 1)[0].strip()
    if not line or line.startswith(("#", "-")):
        return None
    try:
        requirement = Requirement(line)
    except InvalidRequirement:
        return None
    return normalise(requirement.name), str(requirement.specifier)[:100]


#: A conda match spec: an optional channel, the name, then a version (`=1.2`, `>=1.2`, ` 1.2.*`, `=1.2=build`).
_CONDA_SPEC = re.compile(r"^(?:[^:\s]+::)?(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)(?:\[[^\]]*\])?\s*(?P<version>.*)$")


def conda_requirement(entry: str) -> tuple[str, str] | None:
    """(PyPI name, PEP 440 specifier) of a conda dependency (`numpy>=1.20` → `numpy`, `>=1.20`)."""
    match = _CONDA_SPEC.match(entry.strip())
    if match is None:
        return None
    name = normalise(match.group("name"))
    name = CONDA_TO_PYPI.get(name, name)
    version = match.group("version").strip()
    if (version[:1] == "=" and version[:2] != "==") or version[:1].isdigit():
        # `=1.2`, `=1.2=build` and ` 1.2` pin a version (the build string is conda's own).
        version = "==" + version.lstrip("=").split("=")[0].strip()
    try:
        spec = str(SpecifierSet(version.replace(" ", ""))) if version else ""
    except InvalidSpecifier:
        spec = ""
    return (name, spec[:100]) if name else None


def parse_environment_yml(text: str) -> list[tuple[str, str, str]]:
    """(name, specifier, origin) from a conda environment file; `origin` is `conda` or `pip`."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    if not isinstance(data, dict):
        return []
    found: list[tuple[str, str, str]] = []
    for entry in data.get("dependencies") or []:
        if isinstance(entry, str):
            parsed = conda_requirement(entry)
            if parsed:
                found.append((parsed[0], parsed[1], "conda"))
        elif isinstance(entry, dict):
            for line in entry.get("pip") or []:
                pip = parse_requirement(str(line))
                if pip:
                    found.append((pip[0], pip[1], "pip"))
    return found[:500]


def imported_modules(source: str) -> list[str]:
    """Absolute imports of a cell or module (dotted), magics and shell lines removed."""
    text = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))
    try:
        tree = pyast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return re.findall(r"^\s*(?:from|import)\s+([A-Za-z_][\w.]*)", text, re.MULTILINE)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
    return found


def distribution_for(module: str) -> str:
    """The distribution that provides a dotted import (`sklearn.metrics` → `scikit-learn`)."""
    parts = module.split(".")
    for depth in range(len(parts), 0, -1):
        prefix = ".".join(parts[:depth])
        if prefix in IMPORT_TO_DISTRIBUTION:
            return IMPORT_TO_DISTRIBUTION[prefix]
    return normalise(parts[0])


def local_modules(files: Iterable[str]) -> frozenset[str]:
    """Top-level names the submission itself provides (`helpers.py`, `src/`, `utils/__init__.py`)."""
    names: set[str] = set()
    for rel in files:
        parts = rel.split("/")
        for depth, part in enumerate(parts):
            stem = part[:-3] if part.endswith(".py") and depth == len(parts) - 1 else part
            if depth < len(parts) - 1 or part.endswith(".py"):
                names.add(stem)
    return frozenset(names)


def requested_packages(view: NotebookView, texts: dict[str, str], files: Iterable[str]) -> list[_Need]:
    """Every non-standard package the submission asks for or imports, with where it was seen."""
    local = local_modules(files)
    stdlib = stdlib_modules()
    needs: dict[str, _Need] = {}

    def need(name: str) -> _Need:
        return needs.setdefault(name, _Need(name=name))

    def from_import(module: str, source: str, cell: int | None) -> None:
        top = module.split(".")[0]
        if (
            not top
            or top in stdlib
            or top in local
            or any(module == m or module.startswith(m + ".") for m in PROVIDED_MODULES)
        ):
            return
        entry = need(distribution_for(module))
        if top not in entry.imports:
            entry.imports.append(top)
        entry.add_source(source)
        if entry.cell is None and cell is not None:
            entry.cell = cell

    for cell in view.code_cells():
        for module in imported_modules(cell.source):
            from_import(module, f"import in cell {cell.index}", cell.index)
    for rel, text in sorted(texts.items()):
        name = rel.rsplit("/", 1)[-1].lower()
        if rel.endswith(".py"):
            for module in imported_modules(text):
                from_import(module, rel, None)
        elif name.startswith("requirements") and name.endswith(".txt"):
            for line in text.splitlines()[:500]:
                parsed = parse_requirement(line)
                if parsed and parsed[0] not in TOOLING:
                    entry = need(parsed[0])
                    entry.specifier = entry.specifier or parsed[1]
                    entry.add_source(rel)
        elif name in ("environment.yml", "environment.yaml", "conda.yml", "conda.yaml"):
            for dist, spec, _ in parse_environment_yml(text):
                if dist not in TOOLING:
                    entry = need(dist)
                    entry.specifier = entry.specifier or spec
                    entry.add_source(rel)
    return [needs[k] for k in sorted(needs)]


@dataclass(frozen=True)
class PackagePlan:
    """The submission's packages, split into those the image has, those to install and the rest."""

    requests: tuple[PackageRequest, ...]

    @property
    def to_install(self) -> list[PackageRequest]:
        return [r for r in self.requests if r.status is PackageStatus.not_attempted]


def plan_packages(
    view: NotebookView,
    texts: dict[str, str],
    files: Iterable[str],
    policy: PackagePolicy,
    allowed: Iterable[str] = (),
    *,
    profile: str | None = None,
) -> PackagePlan:
    """Static plan against a profile's image: `in_image`, `not_allowed`, or `not_attempted` (to install)."""
    lock = image_lock(profile)
    allowed_names = {normalise(a) for a in allowed}
    requests = []
    for entry in requested_packages(view, texts, files):
        provided = PROVIDED_AS.get(entry.name, entry.name)
        common = {
            "name": entry.name,
            "imports": entry.imports,
            "sources": entry.sources,
            "specifier": entry.specifier,
            "cell": entry.cell,
        }
        if provided in lock:
            version = lock[provided]
            detail = ""
            if entry.specifier and entry.specifier.startswith("==") and entry.specifier[2:] != version:
                detail = f"the submission pins {entry.specifier[2:]}; the sandbox has {version}"
            requests.append(PackageRequest(**common, status=PackageStatus.in_image, version=version, detail=detail))
        elif policy is PackagePolicy.any or (policy is PackagePolicy.allow_list and entry.name in allowed_names):
            requests.append(
                PackageRequest(
                    **common,
                    status=PackageStatus.not_attempted,
                    detail="allowed by the assignment; not in the sandbox image",
                )
            )
        else:
            why = (
                "the assignment allows only the base set"
                if policy is PackagePolicy.base_only
                else "not in the assignment's allowed packages"
            )
            requests.append(PackageRequest(**common, status=PackageStatus.not_allowed, detail=why))
    return PackagePlan(requests=tuple(requests))
