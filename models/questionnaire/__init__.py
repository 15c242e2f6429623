"""Audit tools: typed, versioned questionnaires (pure Pydantic definitions, no database).

`read_tool` loads a YAML file; `Tool.version` is the hash of its meaning; each question
offers `meets_standard`, `ordered_values` and `is_ordinal` for compliance and agreement.
catalog.py finds the built-in tools (tools/) and the partnership's own; the spreadsheet
modules read and write tools as XLSX and CSV. Imports only models/.
"""

from models.questionnaire.base import Answer, BaseQuestion
from models.questionnaire.conditions import CaseAttributes, Condition, applies
from models.questionnaire.parts import ActionRule, Option
from models.questionnaire.questions import (
    QUESTION_CLASSES,
    QUESTION_TYPES,
    DateQuestion,
    MultiChoiceQuestion,
    NumberQuestion,
    OfstedGradeQuestion,
    Question,
    RagQuestion,
    Scale010Question,
    SingleChoiceQuestion,
    TextQuestion,
    YesNoNAQuestion,
    YesPartlyNoNAQuestion,
)
from models.questionnaire.scales import (
    LABELS,
    NA,
    OfstedGrade,
    PartlyCountsAs,
    Rag,
    Rollup,
    roll_up,
)
from models.questionnaire.tool import (
    CLOSING_QUESTION_IDS,
    KNOWN_QUESTION_ID,
    KNOWN_QUESTION_TEXT,
    Section,
    Tool,
    canonical_form,
    canonical_json,
    read_tool,
    tool_version,
)

__all__ = [
    "CLOSING_QUESTION_IDS",
    "KNOWN_QUESTION_ID",
    "KNOWN_QUESTION_TEXT",
    "LABELS",
    "NA",
    "QUESTION_CLASSES",
    "QUESTION_TYPES",
    "ActionRule",
    "Answer",
    "BaseQuestion",
    "CaseAttributes",
    "Condition",
    "DateQuestion",
    "MultiChoiceQuestion",
    "NumberQuestion",
    "OfstedGrade",
    "OfstedGradeQuestion",
    "Option",
    "PartlyCountsAs",
    "Question",
    "Rag",
    "RagQuestion",
    "Rollup",
    "Scale010Question",
    "Section",
    "SingleChoiceQuestion",
    "TextQuestion",
    "Tool",
    "YesNoNAQuestion",
    "YesPartlyNoNAQuestion",
    "applies",
    "canonical_form",
    "canonical_json",
    "read_tool",
    "roll_up",
    "tool_version",
]
