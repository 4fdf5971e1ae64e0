"""The Qt desktop layer: adapts the core, holds no rules."""
