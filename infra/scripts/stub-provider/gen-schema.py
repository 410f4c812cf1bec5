"""Rebuilds the hashicorp/aws provider schema (resources, data sources, provider block) from the npm
package @cdktf/provider-aws, whose generated code carries every argument and block with its kind and type,
and whose .d.ts files carry optionality and the computed attributes. Output: the JSON the stub provider
serves (see main.go). Usage: python gen-schema.py <@cdktf/provider-aws lib dir> <out.json>

Mapping: arguments are Required or Optional as in the .d.ts config interfaces; getters without an argument
are Computed; blocks keep list/set nesting ("struct" blocks such as timeouts are single) and get
min_items 1 when required. Object-valued arguments and anything unrecognised become "dynamic", which
accepts any value: the reconstruction errs on the permissive side, never invents an error.
"""

import json
import os
import re
import sys

ATTRIBUTE = re.compile(
    r'\n\s+(\w+): \{\n\s+value: (.*?),\n\s+isBlock: (true|false),\n\s+type: "(\w+)",\n\s+storageClassType: "(\w+)",'
)
PRIMITIVES = {"string": "string", "number": "number", "boolean": "bool", "any": "dynamic"}
PRIMITIVE_MAPPERS = ("string", "number", "boolean", "hash", "list", "map")


def storage_type(kind, storage):
    """cdktf storage class -> Terraform type JSON, or None when it is a struct (object or block)."""
    if kind == "simple":
        return PRIMITIVES.get(storage, "dynamic")
    match = re.fullmatch(r"(string|number|boolean|any)((?:List|Map)+)", storage)
    if not match:
        return None
    inner = PRIMITIVES[match.group(1)]
    for wrapper in reversed(re.findall(r"List|Map", match.group(2))):
        inner = ["list" if wrapper == "List" and kind != "set" else "set" if wrapper == "List" else "map", inner]
        kind = "list"  # only the outermost List of a set-typed attribute is a set
    return inner


def parse_attributes(body):
    attributes = []
    for match in ATTRIBUTE.finditer(body):
        name, value, is_block, kind, storage = match.groups()
        nested = [f for f in re.findall(r"(\w+)ToHclTerraform", value) if not f.startswith(PRIMITIVE_MAPPERS)]
        prop = re.search(r"(?:struct|this)\._?(\w+)", value)
        attributes.append(
            {
                "name": name,
                "block": is_block == "true",
                "kind": kind,
                "storage": storage,
                "fn": nested[-1] if nested else None,
                "prop": prop.group(1) if prop else None,
            }
        )
    return attributes


def snake(name):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def getter_type(text):
    text = text.strip()
    if text == "string":
        return "string"
    if text == "number":
        return "number"
    if text.startswith("boolean"):
        return "bool"
    if text == "string[]":
        return ["list", "string"]
    if text == "number[]":
        return ["list", "number"]
    if text.startswith("{") and "string;" in text:
        return ["map", "string"]
    if text == "cdktf.StringMap":
        return ["map", "string"]
    if text == "cdktf.NumberMap":
        return ["map", "number"]
    if text == "cdktf.BooleanMap":
        return ["map", "bool"]
    return "dynamic"


def without_dynamic(type_json):
    """Terraform rejects DynamicPseudoType inside set-nested blocks; a string is the closest permissive type."""
    if type_json == "dynamic":
        return "string"
    if isinstance(type_json, list):
        return [type_json[0], without_dynamic(type_json[1])]
    return type_json


def build_block(attributes, structs, optional_by_prop, computed, in_set=False):
    block = {"attributes": [], "blocks": []}
    configured = set()
    for attribute in attributes:
        configured.add(attribute["name"])
        required = optional_by_prop.get(attribute["prop"]) is False
        if attribute["block"]:
            fn = attribute["fn"]
            if fn not in structs:
                continue
            interface_optional = structs[fn]["optional"]
            nesting = "single" if attribute["kind"] == "struct" else attribute["kind"]
            nested = build_block(structs[fn]["attributes"], structs, interface_optional, {}, in_set or nesting == "set")
            block["blocks"].append(
                {"name": attribute["name"], "nesting": nesting, "min_items": 1 if required and nesting != "single" else 0, "block": nested}
            )
            continue
        type_json = storage_type(attribute["kind"], attribute["storage"]) or "dynamic"
        if in_set:
            type_json = without_dynamic(type_json)
        block["attributes"].append(
            {"name": attribute["name"], "type": type_json, "required": required, "optional": not required, "computed": not required}
        )
    for name, type_json in computed.items():
        if name not in configured:
            block["attributes"].append({"name": name, "type": type_json, "required": False, "optional": False, "computed": True})
    return block


def interfaces(dts):
    result = {}
    for match in re.finditer(r"export interface (\w+)(?: extends [\w.]+)? \{(.*?)\n\}", dts, re.S):
        result[match.group(1)] = {p.group(1): p.group(2) is not None for p in re.finditer(r"readonly (\w+)(\?)?:", match.group(2))}
    return result


def load_folder(path):
    js = open(os.path.join(path, "index.js"), encoding="utf-8").read()
    dts = open(os.path.join(path, "index.d.ts"), encoding="utf-8").read()
    type_name = re.search(r'\.tfResourceType = "([\w-]+)";', js)
    top = re.search(r"synthesizeHclAttributes\(\) \{(.*?)\n    \}", js, re.S)
    if not type_name or not top:
        return None
    by_interface = interfaces(dts)
    structs = {}
    for match in re.finditer(r"function (\w+)ToHclTerraform\(struct\) \{(.*?)\n\}", js, re.S):
        fn = match.group(1)
        structs[fn] = {"attributes": parse_attributes(match.group(2)), "optional": by_interface.get(fn[0].upper() + fn[1:], {})}
    config = re.search(r"export interface (\w+Config) extends cdktf.TerraformMetaArguments", dts)
    optional = by_interface.get(config.group(1), {}) if config else {}
    # The main class: `export declare class X extends cdktf.TerraformResource|TerraformDataSource|TerraformProvider`
    cls = re.search(r"export declare class \w+ extends cdktf\.Terraform(?:Resource|DataSource|Provider) \{(.*?)\n\}", dts, re.S)
    computed = {}
    if cls:
        for getter in re.finditer(r"\n    get (\w+)\(\): (.*?);(?=\n    [\w/]|\n?$)", cls.group(1), re.S):
            if not getter.group(1).endswith("Input"):  # cdktf's own view of what was configured
                computed[snake(getter.group(1))] = getter_type(getter.group(2))
    block = build_block(parse_attributes(top.group(1)), structs, optional, computed)
    return type_name.group(1), block


def main():
    lib_dir, out = sys.argv[1], sys.argv[2]
    schema = {"provider": {"attributes": [], "blocks": []}, "resources": {}, "data_sources": {}}
    skipped = 0
    for folder in sorted(os.listdir(lib_dir)):
        path = os.path.join(lib_dir, folder)
        if not os.path.isfile(os.path.join(path, "index.js")):
            continue
        try:
            loaded = load_folder(path)
        except Exception:  # a type the reconstruction cannot read is simply not served
            loaded = None
        if loaded is None:
            skipped += 1
            continue
        type_name, block = loaded
        if folder == "provider":
            schema["provider"] = block
        elif folder.startswith("data-aws-"):
            schema["data_sources"][type_name] = block
        else:
            schema["resources"][type_name] = block
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(schema, handle, separators=(",", ":"))
    print(f"gen-schema: {len(schema['resources'])} resources, {len(schema['data_sources'])} data sources, {skipped} folders skipped")


if __name__ == "__main__":
    main()
