"""What an error's text may quote of a case is redacted before it leaves in dead-letter
headers and logs."""

from pydantic import BaseModel, ValidationError

from gridcase_events.consumer import redact

SQL_ERROR = (
    "(sqlalchemy.dialects.postgresql.asyncpg.UniqueViolationError) duplicate key value "
    'violates unique constraint "t_pkey"\n[SQL: INSERT INTO t VALUES ($1, $2)]\n'
    "[parameters: ('13812345678', '幸福路12号')]\n"
    "(Background on this error at: https://sqlalche.me/e/21/gkpj)"
)


def test_sql_parameters_are_redacted_and_the_statement_kept() -> None:
    assert redact(SQL_ERROR) == (
        "(sqlalchemy.dialects.postgresql.asyncpg.UniqueViolationError) duplicate key value "
        'violates unique constraint "t_pkey"\n[SQL: INSERT INTO t VALUES ($1, $2)]\n'
        "[parameters: redacted]\n"
        "(Background on this error at: https://sqlalche.me/e/21/gkpj)"
    )


def test_parameters_cut_off_by_a_length_limit_are_redacted() -> None:
    assert redact(SQL_ERROR[:150] + "[parameters: ('1381234") == (
        SQL_ERROR[:150] + "[parameters: redacted]"
    )


def test_postgresql_detail_is_redacted() -> None:
    message = 'null value in column "addr"\nDETAIL:  Failing row contains (幸福路12号, null).'
    assert redact(message) == 'null value in column "addr"\nDETAIL: redacted'


def test_pydantic_input_values_are_redacted() -> None:
    class Report(BaseModel):
        priority: int

    try:
        Report.model_validate({"priority": "张三 幸福路12号"})
    except ValidationError as exc:
        text = redact(str(exc))
    assert "幸福路" not in text
    assert "input_value=redacted, input_type=str" in text


def test_phone_numbers_in_free_text_are_masked() -> None:
    assert redact("no grid for caller +86 138 1234 5678 at 510302001") == (
        "no grid for caller [number] at [number]"
    )
