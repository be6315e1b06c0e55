"""Run a workbook's main.py as xlwings Lite does, in a fresh interpreter (a script, not a test module).

    python lite_probe.py MAIN_PY SCRIPTS_JSON FUNCTIONS_JSON

SCRIPTS_JSON maps script names to the book payload Excel would send; FUNCTIONS_JSON
lists custom-function calls as Excel sends them. Prints one JSON object: the messages
each script showed, each function's result, the functions and scripts main.py offers,
and every Tierbook module that was loaded from somewhere other than the bundle.
"""

import asyncio
import importlib.util
import json
import os
import sys

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
os.environ.setdefault("XLWINGS_ON_SERVER", "true")

import xlwings as xw  # noqa: E402
import xlwings.server  # noqa: E402


def main(main_py: str, scripts_json: str, functions_json: str) -> dict:
    spec = importlib.util.spec_from_file_location("main", main_py)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    root = os.path.dirname(os.path.dirname(sys.modules["tierbook"].__file__))
    out = {"scripts": {}, "functions": [], "root": root,
           "offers": {"functions": sorted(f["name"] for f in xlwings.server.custom_functions_meta(module)["functions"]),
                      "scripts": sorted(s["function_name"] for s in xlwings.server.custom_scripts_meta(module))}}
    with open(scripts_json) as f:
        for name, payload in json.load(f).items():
            book = xw.Book(json=payload)
            asyncio.run(xlwings.server.custom_scripts_call(module=module, script_name=name,
                                                           typehint_to_value={xw.Book: book}))
            out["scripts"][name] = [a["args"][:2] for a in book.json()["actions"] if a["func"] == "alert"]
            book.close()
    with open(functions_json) as f:
        for call in json.load(f):
            out["functions"].append(asyncio.run(xlwings.server.custom_functions_call(call, module)))
    out["outside"] = sorted(name for name, mod in sys.modules.items()
                            if name.split(".")[0] == "tierbook" and not (getattr(mod, "__file__", None) or root).startswith(root))
    return out


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4]), default=str))
