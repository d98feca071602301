#!/usr/bin/env python3
"""What each island costs in the browser bundle: the code attributed to it
by function name, and the code every island shares (Leptos's reactive core,
serde for island props, wasm-bindgen's glue, core and alloc).

Reads `twiggy top -f json` of the wasm before wasm-bindgen and wasm-opt
(function names are still there), so the sizes are shallow code bytes
before optimisation; wasm-opt -Oz shrinks the whole by about two thirds.

    cargo install twiggy
    make site
    twiggy top -n 100000 -f json \\
      target/browser/wasm32-unknown-unknown/wasm-release/yingji_islands.wasm > /tmp/top.json
    python3 .ci/wasm-costs.py /tmp/top.json
"""
import json
import re
import sys
from collections import Counter

# An island's own code: its component, the closures in it, and the browser
# helpers only it calls; the live total also carries the scoring rules.
ISLANDS = {
    "FormGuard": [r"FormGuard", r"form_guard", r"browser::(guard_form|show_messages|say_in_form|busy|form_of|on_form_input)"],
    "LiveTotal": [r"LiveTotal", r"live_total", r"LiveSheet", r"islands[^:]*::fill", r"yingji_domain[^:]*::assessment"],
    "MaximaSum": [r"MaximaSum", r"maxima_sum"],
    "AddRow": [r"AddRow", r"add_row"],
    "CopyButton": [r"CopyButton", r"copy_button"],
    "PrintButton": [r"PrintButton", r"print_button"],
}

rows = json.load(open(sys.argv[1]))
own = Counter()
shared = 0
for r in rows:
    name, size = r["name"], r["shallow_size"]
    if name.startswith(("custom section", '"function names"', "data segment", "...", "Σ")):
        continue
    for island, patterns in ISLANDS.items():
        if any(re.search(p, name) for p in patterns):
            own[island] += size
            break
    else:
        shared += size
total = shared + sum(own.values())
print(f"code before wasm-opt: {total:,} bytes")
print(f"shared by every island: {shared:,} bytes")
for island, size in own.most_common():
    print(f"{island}: {size:,} bytes of its own")
