"""Published documents read back in (读入已公开的文件): a text-based 部门决算 PDF and a Word file.

A department's first year with the product needs last year's figures, and a bureau checks what its
departments actually published. `pdf_read` turns a PDF's ruled tables into the grids the workbook
import reads (`services.xlsx_import.import_grids`: one table reader, not two) and its other text into
lines; `docx_read` reads a Word file's paragraphs (and its tables, which it leaves); `sections`
splits the text at the headings as clerks number them (一、 （一） 1.) into a year's texts;
`importer` puts it together. pdfplumber and python-docx are imported only here, on first use.
"""
