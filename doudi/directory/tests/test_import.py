from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from doudi.conftest import Org
from doudi.directory.actions import ImportFileError, directory_import
from doudi.directory.models import Department, ServiceItem, Staff, Window


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.strip().encode(encoding) + b"\n"


def test_it_imports_departments_with_parents_by_code(db: None) -> None:
    content = csv_bytes(
        "code,name,parent_code\nRS,区人社局,\nRS-SB,区社保中心,RS\nRS-SB-1,参保科,RS-SB"
    )
    report = directory_import(actor=None, kind="departments", content=content, file_format="csv")
    assert report.applied
    assert report.errors == []
    assert report.created == 3
    leaf = Department.objects.get(code="RS-SB-1")
    assert leaf.parent is not None
    assert leaf.parent.code == "RS-SB"
    assert leaf.depth == 2


def test_a_second_import_updates_instead_of_duplicating(org: Org) -> None:
    content = csv_bytes("code,name,department_code\nX-0001,失业保险金申领（新）,X")
    report = directory_import(actor=None, kind="items", content=content, file_format="csv")
    assert report.applied
    assert report.updated == 1
    assert ServiceItem.objects.filter(code="X-0001").count() == 1
    assert ServiceItem.objects.get(code="X-0001").name == "失业保险金申领（新）"


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(org: Org) -> None:
    content = csv_bytes(
        "employee_no,name,window_code,department_code,phone\n"
        "N1,钱七,A-01,X,13900001111\n"
        "N2,孙八,,NOPE,13900002222\n"
        "N3,周九,,X,12345\n"
        "N4,吴十,Z-99,Y,\n"
    )
    report = directory_import(actor=None, kind="staff", content=content, file_format="csv")
    assert not report.applied
    lines = sorted({error.line for error in report.errors})
    assert lines == [3, 4, 5]
    text = " ".join(error.message for error in report.errors)
    assert "NOPE" in text
    assert "Z-99" in text
    assert "不是有效的电话号码" in text
    assert not Staff.objects.filter(employee_no="N1").exists()  # the good row was rolled back


def test_it_imports_xlsx(org: Org) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["centre_code", "number", "name", "department_code"])
    sheet.append(["B", "02", "社保窗口", "X"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = directory_import(
        actor=None, kind="windows", content=buffer.getvalue(), file_format="xlsx"
    )
    assert report.applied, report.errors
    assert Window.objects.get(code="B-02").department == org.dept_x


def test_it_reads_csv_saved_by_chinese_excel_in_gbk(db: None) -> None:
    content = csv_bytes("code,name,parent_code\nMZ,区民政局,", encoding="gbk")
    report = directory_import(actor=None, kind="departments", content=content, file_format="csv")
    assert report.applied
    assert Department.objects.get(code="MZ").name == "区民政局"


def test_a_missing_column_is_reported_on_line_one(db: None) -> None:
    content = csv_bytes("code,name\nRS-0001,失业登记")
    report = directory_import(actor=None, kind="items", content=content, file_format="csv")
    assert not report.applied
    assert report.errors[0].line == 1
    assert "department_code" in report.errors[0].message


@pytest.mark.parametrize(
    ("content", "file_format", "message"),
    [(b"", "csv", "文件为空"), (b"not a zip", "xlsx", "文件无法解析"), (b"a,b", "pdf", "不支持")],
)
def test_an_unreadable_file_is_refused_as_a_whole(
    db: None, content: bytes, file_format: str, message: str
) -> None:
    with pytest.raises(ImportFileError, match=message):
        directory_import(actor=None, kind="items", content=content, file_format=file_format)


def test_the_command_prints_line_numbers_and_fails(org: Org, tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_bytes(csv_bytes("code,name,department_code\nQ-1,事项,X\nQ-2,事项二,NOPE"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_directory", "items", str(path), stderr=err)
    assert "第 3 行" in err.getvalue()
    assert not ServiceItem.objects.filter(code="Q-1").exists()


def test_the_command_imports_a_good_file(org: Org, tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_bytes(csv_bytes("code,name,department_code\nQ-1,事项,X\nQ-2,事项二,Y"))
    out = io.StringIO()
    call_command("import_directory", "items", str(path), stdout=out)
    assert "新增 2" in out.getvalue()
    assert ServiceItem.objects.filter(code__in=["Q-1", "Q-2"]).count() == 2


def test_a_file_over_the_size_limit_is_refused(db: None, settings) -> None:
    settings.DOUDI_IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportFileError, match="上限"):
        directory_import(actor=None, kind="items", content=b"x" * 101, file_format="csv")


def test_the_admin_import_page_lists_bad_rows_by_file_line(client_for, people) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(people.admin)
    upload = SimpleUploadedFile(
        "items.csv", "code,name,department_code\nQ-1,事项,X\nQ-2,事项二,NOPE\n".encode()
    )
    response = client.post(
        "/admin/directory/serviceitem/import/",
        {"resource": "0", "format": "0", "import_file": upload},
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [3]
    assert "找不到编码为“NOPE”的部门" in response.content.decode()
    assert not ServiceItem.objects.filter(code="Q-1").exists()


def test_the_admin_import_is_for_admins_only(client_for, people) -> None:
    response = client_for(people.handler_x).get("/admin/directory/serviceitem/import/")
    assert response.status_code == 302
