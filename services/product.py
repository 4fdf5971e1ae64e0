"""The product's name and version (决算公开助手), written into every file it makes.

A department file records the name in its ``meta``; a submission's manifest records both, so the
district bureau can tell which release sealed it. Raise `VERSION` with every release.
"""

NAME = "决算公开助手"
VERSION = "0.2.0"
#: the desktop entry, icon and command of the installed program (`installer/`); Wayland matches
#: the window to its entry by this name
DESKTOP_ID = "disclosure-desk"
