"""Print the README's figure index from the registry, or refresh it in place.

    python -m scalingrepro.registry             # print the table
    python -m scalingrepro.registry README.md   # replace the table between the index markers
"""

import sys
from pathlib import Path

from ..settings import load_config
from . import markdown_index

START, END = "<!-- figure-index:start -->", "<!-- figure-index:end -->"

config = load_config()
index = markdown_index(config)
if len(sys.argv) > 1:
    readme = Path(sys.argv[1])
    text = readme.read_text()
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    readme.write_text(f"{before}{START}\n{index}\n{END}{after}")
else:
    print(index)
