"""Native tests of the validator's logic, the Rust example's cases (run by plugins/build-js-python
with the generated bindings on the path)."""

import json
import pathlib
import unittest

from portico_plugin import field_from_json
from wit_world.imports.types import FieldType

import dates
from rules import validate_all

NOW = 1_735_689_600_000  # 2025-01-01T00:00:00Z


def codes(field):
    return [v.code for v in validate_all([field_from_json(field)], lambda: NOW)]


def file(name, size):
    return {"filename": f"files/{name}", "downloadLink": "http://x/f", "size": size, "previewLink": ""}


def date(full):
    return {"fullDate": full, "formattedValue": "", "formatString": ""}


class Rules(unittest.TestCase):
    def test_strings(self):
        rules = {"minLength": 2, "maxLength": 5, "pattern": "^[a-z]+$"}
        self.assertEqual(codes({"marker": "a", "type": "string", "value": "abc", "settings": rules}), [])
        self.assertEqual(codes({"marker": "a", "type": "string", "value": "a", "settings": rules}), ["too_short"])
        self.assertEqual(codes({"marker": "a", "type": "string", "value": "ABCDEF", "settings": rules}),
                         ["too_long", "pattern_mismatch"])
        self.assertEqual(codes({"marker": "a", "type": "string", "value": " ", "settings": {"required": True}}),
                         ["required"])

    def test_numbers(self):
        rules = {"min": 1, "max": 10}
        self.assertEqual(codes({"marker": "n", "type": "integer", "value": 10, "settings": rules}), [])
        self.assertEqual(codes({"marker": "n", "type": "integer", "value": 11, "settings": rules}), ["out_of_range"])
        self.assertEqual(codes({"marker": "x", "type": "float", "value": 0.5, "settings": rules}), ["out_of_range"])
        self.assertEqual(codes({"marker": "x", "type": "float", "value": 1.5, "settings": {"max": 1.5}}), [])

    def test_dates(self):
        rules = {"notBefore": "2024-01-01", "notAfter": "now"}
        for ty in ("date", "dateTime", "time"):
            self.assertEqual(codes({"marker": "d", "type": ty, "value": date("2024-05-07T21:02:00.000Z"),
                                    "settings": rules}), [], ty)
        self.assertEqual(codes({"marker": "d", "type": "date", "value": date("2023-12-31"), "settings": rules}),
                         ["date_out_of_range"])
        self.assertEqual(codes({"marker": "d", "type": "date", "value": date("2030-01-01"), "settings": rules}),
                         ["date_out_of_range"])
        self.assertEqual(codes({"marker": "d", "type": "date", "value": date("07.05.2024")}), ["invalid_date"])
        hours = {"notBefore": "09:00", "notAfter": "17:00"}
        self.assertEqual(codes({"marker": "t", "type": "time", "value": date("2024-05-07T21:02:00Z"),
                                "settings": hours}), ["date_out_of_range"])

    def test_date_grammar(self):
        self.assertEqual(dates.parse("2024-05-07T21:02:00.000Z"), ("instant", 1_715_115_720_000))
        self.assertEqual(dates.parse("2024-05-08T00:02:00+03:00"), dates.parse("2024-05-07T21:02:00Z"))
        self.assertEqual(dates.parse("09:30"), ("time_of_day", 34_200_000))
        for bad in ("", "2024-13-01", "2023-02-29", "2024-05-07T25:00", "yesterday", "2024-05-07X"):
            self.assertIsNone(dates.parse(bad), bad)

    def test_date_grammar_edges(self):
        self.assertEqual(dates.parse("2024-05-07T21:02:00.5Z"), ("instant", 1_715_115_720_500))
        self.assertEqual(dates.parse("2024-05-07T21:02:00.1234Z"), ("instant", 1_715_115_720_123))
        self.assertEqual(dates.parse("2024-05-07T21:02+05"), dates.parse("2024-05-07T16:02Z"))
        self.assertEqual(dates.parse(" 2024-05-07 21:02 "), dates.parse("2024-05-07T21:02:00Z"))
        self.assertEqual(dates.parse("0050-03-01"), ("instant", -60_584_198_400_000))
        for bad in ("2024-05-07T21:02:00.12aZ", "2024-05-07T21:02Zx", "2024-05-07T21:02+05:30:00", "2024-05-07T21",
                    "12:30:", "1-0:00", "2024-5-07", "2100-02-29"):
            self.assertIsNone(dates.parse(bad), bad)

    def test_texts(self):
        text = {"htmlValue": "<p>Hi</p>", "plainValue": "Hi", "mdValue": "*Hi*", "params": {"editorMode": "html"}}
        self.assertEqual(codes({"marker": "t", "type": "text", "value": text, "settings": {"minLength": 3}}),
                         ["too_short"])
        header = {"header": "A long header", "plainValue": "Hi"}
        self.assertEqual(codes({"marker": "t", "type": "textWithHeader", "value": header,
                                "settings": {"headerMaxLength": 5, "maxLength": 5}}), ["too_long"])

    def test_files(self):
        rules = {"allowedExtensions": ["png", ".JPG"], "maxSize": 1000}
        self.assertEqual(codes({"marker": "f", "type": "file", "value": [file("a.png", 10), file("b.jpg", 1000)],
                                "settings": rules}), [])
        self.assertEqual(codes({"marker": "f", "type": "file", "value": [file("a.exe", 10), file("b.png", 1001)],
                                "settings": rules}), ["extension_not_allowed", "file_too_large"])
        self.assertEqual(codes({"marker": "i", "type": "image", "value": [file("a.png", 1), file("b.png", 1)]}),
                         ["too_many_items"])

    def test_choices_and_entities(self):
        red = {"title": "red", "value": "1", "extended": {"value": "красный", "type": "string"}}
        blue = {"title": "blue", "value": "3"}
        rules = {"options": ["1", 2], "maxItems": 1}
        self.assertEqual(codes({"marker": "r", "type": "radioButton", "value": red, "settings": rules}), [])
        self.assertEqual(codes({"marker": "r", "type": "radioButton", "value": blue, "settings": rules}),
                         ["not_an_option"])
        self.assertEqual(codes({"marker": "l", "type": "list", "value": [red, blue], "settings": rules}),
                         ["too_many_items", "not_an_option"])
        ids = {"options": [1, 2, "x-9"]}
        self.assertEqual(codes({"marker": "e", "type": "entity", "value": [3, "x-9"], "settings": ids}),
                         ["not_an_option"])

    def test_intervals(self):
        reversed_ = [["2025-02-13T16:00:00.000Z", "2025-02-11T16:00:00.000Z"]]
        self.assertEqual(codes({"marker": "i", "type": "timeInterval", "value": reversed_}), ["interval_order"])

    def test_bad_settings_and_type_mismatch(self):
        self.assertEqual(codes({"marker": "a", "type": "string", "value": "x", "settings": {"maxLen": 1}}),
                         ["invalid_settings"])
        self.assertEqual(codes({"marker": "a", "type": "string", "value": "x", "settings": {"pattern": "("}}),
                         ["invalid_settings"])
        field = field_from_json({"marker": "a", "type": "string", "value": "x"})
        field.field_type = FieldType.INTEGER
        self.assertEqual([(v.marker, v.code) for v in validate_all([field], lambda: NOW)], [("a", "type_mismatch")])

    def test_the_sample_input(self):
        sample = pathlib.Path(__file__).parents[2] / "examples/field-validator/sample-input.json"
        fields = [field_from_json(f) for f in json.loads(sample.read_text())["fields"]]
        self.assertEqual(len(fields), 15)
        self.assertEqual([(v.marker, v.code) for v in validate_all(fields, lambda: NOW)], [
            ("nickname", "too_short"), ("age", "out_of_range"), ("meeting", "date_out_of_range"),
            ("bio", "too_long"), ("gallery", "extension_not_allowed"), ("picture", "file_too_large"),
            ("colors", "not_an_option"), ("interval", "interval_order"),
        ])


if __name__ == "__main__":
    unittest.main()
