"""The Qt desktop layer: adapts the core, holds no rules."""

from ui.refcounts import immortalize

immortalize()  # before any Qt call: see ui.refcounts
