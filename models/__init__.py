"""What is stored: the department file (部门决算数据文件), SQLAlchemy 2 typed ORM. Never imports Qt."""
