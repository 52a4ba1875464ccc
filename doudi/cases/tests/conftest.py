from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from doudi.cases.actions import Intake, Reporter, case_register
from doudi.cases.models import Case
from doudi.conftest import Org, Personas

VALID_ID = "11010519491231002X"
PHONE = "13912345678"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def intake_post(org: Org, **overrides: Any) -> dict[str, Any]:
    data = {
        "submission_key": overrides.pop("submission_key", "key-" + str(id(overrides))),
        "centre": org.centre_a.pk,
        "reporter_kind": "person",
        "reporter_name": "张三丰",
        "reporter_phone": PHONE,
        "reporter_id_number": VALID_ID,
        "service_item": f"{org.item_x.code} {org.item_x.name}",
        "visits": 2,
        "title": "失业金申领被要求补交证明",
        "description": "窗口要求提供原单位出具的证明，但单位已注销，跑了两次都没办成。",
        "request": "希望告知替代材料并当场受理",
        "urgency": "normal",
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_case(org: Org, people: Personas):  # type: ignore[no-untyped-def]
    def make(**overrides: Any) -> Case:
        reporter = overrides.pop("reporter", Reporter(name="李四", phone=PHONE))
        intake = Intake(
            centre=overrides.pop("centre", org.centre_a),
            channel=overrides.pop("channel", "window"),
            title=overrides.pop("title", "营业执照变更登记多次退回"),
            description=overrides.pop(
                "description", "材料按清单准备齐全，但每次都被要求补充新的材料。"
            ),
            reporter=reporter,
            service_item=overrides.pop("service_item", org.item_x),
            **overrides,
        )
        return case_register(actor=people.clerk_a, intake=intake)

    return make
