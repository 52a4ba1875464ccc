"""doudi/locale/zh_Hans: Django's and the libraries' wording where their Chinese reads badly."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext, ngettext

# Called by other names, so that makemessages does not collect the English texts below.
translated, translated_plural = gettext, ngettext


def test_our_chinese_replaces_the_stock_and_garbled_texts() -> None:
    with translation.override("zh-hans"):
        assert translated("This field is required.") == "此项必填。"
        assert (
            translated_plural(
                "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
                "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
                100,
            )
            % {"limit_value": 100, "show_value": 120}
            == "最多 100 个字，现在有 120 个。"
        )
        # django-import-export's own catalogue has "某些行验数据证失败".
        assert translated("Some rows failed to validate") == "部分行的数据未通过校验"
        assert translated("access attempts") == "登录尝试"  # django-axes has no Chinese
    with translation.override("en"):
        assert translated("This field is required.") == "This field is required."
