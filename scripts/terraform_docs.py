"""The terraform-docs section of every module README, rendered offline exactly as terraform-docs 0.20 renders it.

`terraform-docs markdown table --output-file README.md --output-mode inject <module>` (ci.yml runs it with
`--output-check`) writes Requirements, Providers, Modules, Resources, Inputs and Outputs between
``<!-- BEGIN_TF_DOCS -->`` and ``<!-- END_TF_DOCS -->``. This module renders the same text from the HCL (python-hcl2
for the structure, the source text for type expressions, as terraform-config-inspect reads them) with the
defaults of terraform-docs 0.20.0: anchors, escaped names, sorted by name, HTML line breaks, required column.

  python -m scripts.terraform_docs           # exit 1 and a diff when a README is stale
  python -m scripts.terraform_docs --write   # rewrite the generated sections (make terraform-docs)
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / "terraform" / "modules"
BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"
TERRAFORM_DOCS_VERSION = "0.20.0"  # the version ci.yml pins; its table layout is what this renders


# ---------------------------------------------------------------- reading the module


@dataclass
class Variable:
    name: str
    description: str
    type: str
    default: Any
    required: bool


@dataclass
class Module:
    required_core: list[str] = field(default_factory=list)
    required_providers: dict[str, dict[str, str]] = field(default_factory=dict)
    variables: list[Variable] = field(default_factory=list)
    outputs: list[tuple[str, str]] = field(default_factory=list)
    resources: list[tuple[str, str, str, str]] = field(default_factory=list)  # mode, type, name, provider (name.alias)


def _string(value: Any) -> str:
    """A python-hcl2 string literal ('"text"', escapes kept) as its value."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return str(json.loads(value.replace("$${", "${").replace("%%{", "%{")))
    return str(value)


def _value(value: Any) -> Any:
    """A python-hcl2 literal default as the plain value terraform-config-inspect decodes from it."""
    if isinstance(value, str):
        if value in {"null", "${null}"}:
            return None
        return _string(value)
    if isinstance(value, dict):
        return {_string(key): _value(item) for key, item in value.items() if key != "__is_block__"}
    if isinstance(value, list):
        return [_value(item) for item in value]
    return value


def _type_sources(text: str) -> dict[str, str]:
    """Source text of every `type = ...` expression, by variable name (terraform-config-inspect keeps the source)."""
    found: dict[str, str] = {}
    for match in re.finditer(r'^variable\s+"([^"]+)"\s*\{', text, re.M):
        body_start = match.end()
        type_match = re.compile(r"^\s*type\s*=\s*", re.M).search(text, body_start)
        next_block = re.compile(r'^variable\s+"', re.M).search(text, body_start)
        if not type_match or (next_block and type_match.start() > next_block.start()):
            continue
        start = index = type_match.end()
        depth = 0
        while index < len(text):
            char = text[index]
            if char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
            elif char in "\n#" and depth == 0:
                break
            index += 1
        found[match.group(1)] = text[start:index].rstrip()
    return found


def _load_terraform_block(module: Module, parsed: dict[str, Any]) -> None:
    for block in parsed.get("terraform", []):
        if "required_version" in block:
            module.required_core.append(_string(block["required_version"]))
        for providers in block.get("required_providers", []):
            for name, spec in providers.items():
                if name != "__is_block__":
                    module.required_providers[name] = {
                        "source": _string(spec.get("source", f'"hashicorp/{name}"')),
                        "version": _string(spec.get("version", '""')),
                    }


def _load_resources(module: Module, parsed: dict[str, Any]) -> None:
    for mode, key in (("managed", "resource"), ("data", "data")):
        for block in parsed.get(key, []):
            for raw_type, instances in block.items():
                type_ = _string(raw_type)
                for raw_name, body in instances.items():
                    provider = str(body.get("provider", "")).removeprefix("${").removesuffix("}")
                    module.resources.append((mode, type_, _string(raw_name), provider or type_.split("_")[0]))


def load(directory: Path) -> Module:
    module = Module()
    for path in sorted(directory.glob("*.tf")):
        text = path.read_text(encoding="utf-8")
        parsed = hcl2.loads(text)
        types = _type_sources(text)
        _load_terraform_block(module, parsed)
        for block in parsed.get("variable", []):
            for raw_name, body in block.items():
                name = _string(raw_name)
                module.variables.append(
                    Variable(
                        name=name,
                        description=_string(body.get("description", '""')),
                        type=types.get(name, ""),
                        default=_value(body["default"]) if "default" in body else None,
                        required="default" not in body,
                    )
                )
        for block in parsed.get("output", []):
            for raw_name, body in block.items():
                module.outputs.append((_string(raw_name), _string(body.get("description", '""'))))
        _load_resources(module, parsed)
    return module


# ---------------------------------------------------------------- terraform-docs' text functions (template/*.go)


def _segments(text: str, fence: str, normal: Callable[[str], str], code: Callable[[str], str]) -> str:
    """processSegments: alternate plain text and code between `fence`s (empty segments do not toggle)."""
    in_code = text.startswith(fence)
    out = []
    for segment in text.split(fence):
        if not segment:
            continue
        out.append(code(segment) if in_code else normal(segment))
        in_code = not in_code
    return "".join(out)


def _escape_underscores(line: str) -> str:
    """EscapeCharacters' underscore rule: escape every `_` except list markers and `_emphasis_` between spaces."""
    keep = "\x00"
    patterns = [
        (re.compile(r"^(\s*)(_+)(\s+)(.*)"), (2,)),
        (re.compile(r"(\s+)(_+)([^\t\n\f\r _])(.*)([^\t\n\f\r _])(_+)(\s+)"), (6, 2)),
    ]
    for pattern, groups in patterns:
        for match in list(pattern.finditer(line)):
            for group in groups:
                start, end = match.span(group)
                line = line[:start] + keep * (end - start) + line[end:]
    return line.replace("_", "\\_").replace(keep, "_")


def _escape(text: str) -> str:
    text = _segments(text, "`", lambda s: s.replace("|", "\\|"), lambda s: f"`{s}`")
    return _segments(
        text, "`", lambda s: "\n".join(_escape_underscores(line) for line in s.split("\n")), lambda s: f"`{s}`"
    )


def _multiline_table(text: str) -> str:
    text = text.strip()
    text = re.sub(r"(\S*)(\r?\n)(\s*)(\w+)", r"\1  \2\3\4", text, flags=re.ASCII)
    text = text.replace("    \n", "  \n").replace("  \n\n", "\n\n").replace("\n  \n", "\n\n")
    return text.replace("  \n", "<br/>").replace("\n", "<br/>")


def _normalize_urls(text: str) -> str:
    return re.sub(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s<>\"'`]+", lambda m: m.group(0).replace("\\", ""), text)


def sanitize_table_cell(text: str) -> str:
    """SanitizeMarkdownTable with escape and HTML on (terraform-docs' defaults)."""
    if text == "":
        return "n/a"

    def normal(segment: str) -> str:
        return _normalize_urls(_multiline_table(_escape(segment)))

    def code(segment: str) -> str:
        return "<pre>" + segment.strip().replace("\n", "<br/>").replace("\r", "") + "</pre>"

    return _segments(text, "```", normal, code)


def fenced(code: str) -> str:
    """PrintFencedCodeBlock: one line in backticks, several in a fenced block (shown as <pre> in a table)."""
    return f"\n\n```\n{code}\n```\n" if "\n" in code else f"`{code}`"


def _number(value: float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if float(value).is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(float(value))
    if "e" in text:  # Go prints 'f' form between 1e-6 and 1e21
        exponent = int(text.split("e")[1])
        if exponent >= -6:
            text = f"{value:.{max(0, -exponent + 16)}f}".rstrip("0")
    return text


def go_json(value: Any, indent: int = 0) -> str:
    """encoding/json with SetIndent("", "  ") and no HTML escaping: sorted keys, 2-space indentation."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict) and value:
        items = [f"{inner}{_scalar(key)}: {go_json(value[key], indent + 1)}" for key in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value:
        return "[\n" + ",\n".join(f"{inner}{go_json(item, indent + 1)}" for item in value) + "\n" + pad + "]"
    return _scalar(value)


def _scalar(value: Any) -> str:
    if isinstance(value, dict | list):
        return "{}" if isinstance(value, dict) else "[]"
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int | float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError("not representable in JSON")
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"unsupported default {value!r}")


def anchor(prefix: str, name: str) -> str:
    escaped = name.replace("_", "\\_")
    return f'<a name="{prefix}_{name}"></a> [{escaped}](#{prefix}\\_{escaped})'


def resource_version(constraint: str) -> str:
    """resourceVersion: an exact version is linked as is, anything else as `latest`."""
    parts = constraint.split(" ") if constraint else []
    if len(parts) == 1 and parts[0]:
        if parts[0][0].isdigit():
            return parts[0]
        return parts[0][1:] if parts[0][0] == "=" else "latest"
    if len(parts) == 2 and parts[0] == "=":
        return parts[1]
    return "latest"


# ---------------------------------------------------------------- the markdown table


def render(module: Module) -> str:
    lines: list[str] = []

    def section(title: str, header: str, rule: str, rows: list[str], empty: str) -> None:
        lines.extend([f"## {title}", ""])
        lines.extend([header, rule, *rows] if rows else [empty])
        lines.append("")

    requirements = [f"| {anchor('requirement', 'terraform')} | {core} |" for core in module.required_core]
    requirements += [
        f"| {anchor('requirement', name)} | {spec['version'] or 'n/a'} |"
        for name, spec in sorted(module.required_providers.items())
        if spec["version"]
    ]
    section("Requirements", "| Name | Version |", "|------|---------|", requirements, "No requirements.")

    used = sorted(
        {tuple(provider.split(".", 1)) if "." in provider else (provider, "") for *_, provider in module.resources}
    )
    providers = []
    for name, alias in used:
        version = module.required_providers.get(name, {}).get("version", "")
        providers.append(f"| {anchor('provider', f'{name}.{alias}' if alias else name)} | {version or 'n/a'} |")
    section("Providers", "| Name | Version |", "|------|---------|", providers, "No providers.")

    section("Modules", "| Name | Source | Version |", "|------|--------|---------|", [], "No modules.")

    resources = []
    order = sorted(module.resources, key=lambda r: (r[0] != "managed", r[1] + "." + r[2]))
    for mode, type_, name, provider in order:
        provider_name = provider.split(".")[0]
        spec = module.required_providers.get(provider_name, {})
        source = spec.get("source") or f"hashicorp/{provider_name}"
        kind = "resources" if mode == "managed" else "data-sources"
        short = type_.removeprefix(provider_name + "_")
        version = resource_version(spec.get("version", ""))
        url = f"https://registry.terraform.io/providers/{source}/{version}/docs/{kind}/{short}"
        resources.append(f"| [{type_}.{name}]({url}) | {'resource' if mode == 'managed' else 'data source'} |")
    section("Resources", "| Name | Type |", "|------|------|", resources, "No resources.")

    inputs = []
    for variable in sorted(module.variables, key=lambda v: v.name):
        value = "" if variable.required else go_json(variable.default)
        default = "n/a" if value == "" else fenced(value)
        inputs.append(
            f"| {anchor('input', variable.name)} | {sanitize_table_cell(variable.description)} "
            f"| {sanitize_table_cell(fenced(variable.type))} | {sanitize_table_cell(default)} "
            f"| {'yes' if variable.required else 'no'} |"
        )
    section(
        "Inputs",
        "| Name | Description | Type | Default | Required |",
        "|------|-------------|------|---------|:--------:|",
        inputs,
        "No inputs.",
    )

    outputs = [
        f"| {anchor('output', name)} | {sanitize_table_cell(description)} |"
        for name, description in sorted(module.outputs)
    ]
    section("Outputs", "| Name | Description |", "|------|-------------|", outputs, "No outputs.")
    return "\n".join(lines).rstrip("\n")


def inject(readme: str, generated: str) -> str:
    """terraform-docs' inject mode: replace everything from the begin marker to the end marker."""
    before, after = readme.index(BEGIN), readme.index(END)
    return readme[:before] + f"{BEGIN}\n{generated}\n{END}" + readme[after + len(END) :]


def expected_readme(directory: Path) -> tuple[str, str]:
    """(current README, README with freshly rendered tables)."""
    if (directory / "main.tf").read_text(encoding="utf-8").lstrip().startswith("/*"):
        raise ValueError(f"{directory}/main.tf starts with /* */: terraform-docs would add it as a header")
    current = (directory / "README.md").read_text(encoding="utf-8")
    return current, inject(current, render(load(directory)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the READMEs instead of checking them")
    parser.add_argument("modules", nargs="*", type=Path, help="module directories (default: terraform/modules/*)")
    options = parser.parse_args(argv)
    stale = 0
    for directory in options.modules or sorted(p for p in MODULES.iterdir() if (p / "versions.tf").exists()):
        current, expected = expected_readme(directory)
        if current == expected:
            continue
        if options.write:
            (directory / "README.md").write_text(expected, encoding="utf-8")
            print(f"wrote {directory / 'README.md'}")
        else:
            stale += 1
            diff = difflib.unified_diff(
                current.splitlines(), expected.splitlines(), "README.md", "rendered", lineterm=""
            )
            print(f"{directory / 'README.md'} is stale (make terraform-docs):\n" + "\n".join(diff))
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
