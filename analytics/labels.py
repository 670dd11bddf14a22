"""Names of the proficiency levels, in the two languages the dashboards offer."""

LEVEL_LABELS = {
    "en": ("none", "aware", "basic", "proficient", "expert"),
    "ja": ("未経験", "知っている", "基礎", "実務", "エキスパート"),
}


def level_label(level: int, lang: str = "en") -> str:
    return LEVEL_LABELS[lang][int(level)]
