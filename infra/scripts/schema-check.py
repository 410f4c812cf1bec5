"""Schema check of a Terraform module against the hashicorp/aws provider schema, without the provider.

Not `terraform validate`: it checks argument and block names, block nesting (attribute written as a block
or the reverse) and missing required arguments of every `resource` and `data` block, against the provider
schema as generated into the npm package @cdktf/provider-aws (its synthesizeHclAttributes() and
*ToHclTerraform() functions, and the optional `?` of its .d.ts interfaces); that every attribute read from a
resource or data source (`aws_x.name.attr`) exists (a getter of its class); and that every `var.` and
`local.` reference is declared. Types, values and other expressions are not checked. Used by check.sh where
the provider binary cannot be built (see README).

Usage: python schema-check.py <@cdktf/provider-aws lib dir> <module dir>     (needs python-hcl2)
"""

import glob
import os
import re
import sys

import hcl2

META_ARGUMENTS = {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"}
PARSER_KEYS = {"__start_line__", "__end_line__"}
ATTRIBUTE = re.compile(
    r'\n\s+(\w+): \{\n\s+value: (.*?),\n\s+isBlock: (true|false),\n\s+type: "(\w+)",\n\s+storageClassType: "(\w+)",'
)
PRIMITIVE_MAPPERS = ("string", "number", "boolean", "hash", "list", "map")


def parse_attributes(body):
    """{name: {block, fn (nested struct function), prop (camelCase property)}} from one generated function."""
    attributes = {}
    for match in ATTRIBUTE.finditer(body):
        name, value, is_block, _kind, _storage = match.groups()
        nested = [f for f in re.findall(r"(\w+)ToHclTerraform", value) if not f.startswith(PRIMITIVE_MAPPERS)]
        prop = re.search(r"(?:struct|this)\._?(\w+)", value)
        attributes[name] = {
            "block": is_block == "true",
            "fn": nested[-1] if nested else None,
            "prop": prop.group(1) if prop else None,
        }
    return attributes


class Schema:
    def __init__(self, lib_dir):
        self.lib_dir = lib_dir
        self.cache = {}

    def load(self, kind, type_name):
        key = (kind, type_name)
        if key not in self.cache:
            folder = ("data-aws-" if kind == "data" else "") + type_name.removeprefix("aws_").replace("_", "-")
            path = os.path.join(self.lib_dir, folder)
            if not os.path.isdir(path):
                self.cache[key] = None
                return None
            js = open(os.path.join(path, "index.js"), encoding="utf-8").read()
            dts = open(os.path.join(path, "index.d.ts"), encoding="utf-8").read()
            required = {}
            for match in re.finditer(r"export interface (\w+)(?: extends [\w.]+)? \{(.*?)\n\}", dts, re.S):
                required[match.group(1)] = {
                    p.group(1): p.group(2) is None for p in re.finditer(r"readonly (\w+)(\?)?:", match.group(2))
                }
            structs = {
                m.group(1): parse_attributes(m.group(2))
                for m in re.finditer(r"function (\w+)ToHclTerraform\(struct\) \{(.*?)\n\}", js, re.S)
            }
            top = re.search(r"synthesizeHclAttributes\(\) \{(.*?)\n    \}", js, re.S)
            config = re.search(r"export interface (\w+Config) extends cdktf.TerraformMetaArguments", dts)
            self.cache[key] = (parse_attributes(top.group(1)), structs, required, config.group(1), dts)
        return self.cache[key]


def looks_like_block(value):
    """The HCL parser (checkov's python-hcl2 fork) wraps every attribute value of a block in a list; the
    entries of an object-valued argument stay bare. That is how a block and a `name = { ... }` differ."""
    return (
        isinstance(value, list)
        and len(value) > 0
        and all(
            isinstance(item, dict)
            and any(k not in PARSER_KEYS for k in item)
            and all(isinstance(v, list) for k, v in item.items() if k not in PARSER_KEYS)
            for item in value
        )
    )


def check_body(where, body, attributes, structs, required_by_interface, interface, errors):
    required = required_by_interface.get(interface, {})
    present = set(body)
    for key, value in body.items():
        if key in META_ARGUMENTS or key in PARSER_KEYS:
            continue
        if key == "dynamic":
            for dynamic in value:
                for block_name, dynamic_body in dynamic.items():
                    spec = attributes.get(block_name)
                    if spec is None or not spec["block"]:
                        errors.append(f'{where}: dynamic "{block_name}" is not a block of this type')
                        continue
                    present.add(block_name)
                    content = dynamic_body.get("content", [{}])
                    for item in content if isinstance(content, list) else [content]:
                        check_nested(f"{where}.{block_name}", item, spec, structs, required_by_interface, errors)
            continue
        spec = attributes.get(key)
        if spec is None:
            errors.append(f'{where}: unknown argument or block "{key}"')
            continue
        written_as_block = looks_like_block(value)
        if spec["block"] and not written_as_block:
            errors.append(f'{where}: "{key}" is a block, written as an argument')
        if not spec["block"] and written_as_block:
            errors.append(f'{where}: "{key}" is an argument, written as a block')
        if spec["block"] and written_as_block:
            for item in value:
                check_nested(f"{where}.{key}", item, spec, structs, required_by_interface, errors)
    for name, spec in attributes.items():
        if spec["prop"] and required.get(spec["prop"]) and name not in present:
            errors.append(f'{where}: required "{name}" missing')


def check_nested(where, body, spec, structs, required_by_interface, errors):
    fn = spec["fn"]
    if fn not in structs:
        errors.append(f"{where}: no schema for this nested block")
        return
    interface = fn[0].upper() + fn[1:]
    check_body(where, body, structs[fn], structs, required_by_interface, interface, errors)


REFERENCE = re.compile(r"(?<![\w.])(data\.)?(aws_\w+)\.(\w+)(?:\[[^\]]*\])?\.(\w+)")
MODULE_REFERENCE = re.compile(r"(?<![\w.])(var|local)\.(\w+)")


def strip_comments(text):
    """Drops # and // comments outside strings, well enough for reference scanning."""
    lines = []
    for line in text.splitlines():
        in_string = False
        for i, char in enumerate(line):
            if char == '"' and (i == 0 or line[i - 1] != "\\"):
                in_string = not in_string
            elif not in_string and (char == "#" or line.startswith("//", i)):
                line = line[:i]
                break
        lines.append(line)
    return "\n".join(lines)


def check_references(path, text, schema, declared, errors):
    for line_number, line in enumerate(strip_comments(text).splitlines(), start=1):
        where = f"{os.path.basename(path)}:{line_number}"
        for data, type_name, _name, attribute in REFERENCE.findall(line):
            loaded = schema.load("data" if data else "resource", type_name)
            if loaded is None:
                continue  # reported where the block is declared, or not an AWS type at all
            getter = re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), attribute)
            if not re.search(rf"\bget {getter}\(\)", loaded[4]):
                errors.append(f'{where}: {data}{type_name} has no attribute "{attribute}"')
        for kind, name in MODULE_REFERENCE.findall(line):
            if name not in declared[kind]:
                errors.append(f"{where}: {kind}.{name} is not declared")


def main():
    lib_dir, module_dir = sys.argv[1], sys.argv[2]
    schema = Schema(lib_dir)
    errors, checked = [], set()
    paths = sorted(glob.glob(os.path.join(module_dir, "*.tf")))
    declared = {"var": set(), "local": set()}
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            document = hcl2.load(handle)
        for block in document.get("variable", []):
            declared["var"].update(block)
        for block in document.get("locals", []):
            declared["local"].update(k for k in block if k not in PARSER_KEYS)
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        check_references(path, text, schema, declared, errors)
        document = hcl2.loads(text)
        for kind in ("resource", "data"):
            for block in document.get(kind, []):
                for type_name, named in block.items():
                    for name, body in named.items():
                        loaded = schema.load(kind, type_name)
                        where = f"{os.path.basename(path)}: {kind} {type_name}.{name}"
                        if loaded is None:
                            errors.append(f"{where}: type not in the provider schema")
                            continue
                        checked.add(f"{'data.' if kind == 'data' else ''}{type_name}")
                        attributes, structs, required, config, _dts = loaded
                        check_body(where, body, attributes, structs, required, config, errors)
    print(f"schema-check: {len(checked)} types checked: {', '.join(sorted(checked))}")
    for error in errors:
        print(f"schema-check: {error}")
    print("schema-check: " + (f"{len(errors)} error(s)" if errors else "no errors"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
