"""The disclosure's text (公开文本), without typesetting: what the 部门概况, 情况说明, 名词解释 and
附件 say, drafted from the numbers and the clerk's texts.

`texts` (the TOML phrasing files and the fields the clerk fills), `blocks` (drafted text as data:
headings, paragraphs, charts, placeholders), `drafting` (figures, shares, changes, placeholders),
`sections` (the 情况说明, one writer per section), `narrative` (all the text parts, `draft`). The
PDF (`services.pdf`) typesets it; the checks (`services.narrative_check`) and the window read it.
"""
