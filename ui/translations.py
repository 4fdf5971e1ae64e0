"""Qt's own words in Chinese (中文界面): the buttons and dialogs Qt draws itself (是/否/确定/取消,
显示详细信息…, the file dialogs), from the translations shipped with PySide6."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

_installed: list[QTranslator] = []  # a translator works only while it lives

#: what PySide6's qtbase_zh_CN leaves in English (Qt's own file dialog on Linux)
GAPS = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of type:"): "文件类型(&T)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QFileDialog", "Look in:"): "查找范围：",
}


class _Gaps(QTranslator):
    """The few words the shipped translation lacks."""

    # QTranslator.translate
    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:  # noqa: ARG002
        return GAPS.get((context, source), "")

    # QTranslator.isEmpty
    def isEmpty(self) -> bool:
        return False


def load_translations(app: QCoreApplication) -> bool:
    """Install Qt's zh_CN translation once; False when PySide6 ships none (the buttons stay English)."""
    if _installed:
        return True
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    if not translator.load("qtbase_zh_CN", folder):
        return False
    gaps = _Gaps(app)
    app.installTranslator(gaps)
    app.installTranslator(translator)  # the last installed is asked first; it answers "" for a gap
    _installed.extend([gaps, translator])
    return True
