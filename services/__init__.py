"""What the product does: templates, rules, import/export, PDF, exchange. Never imports Qt."""
