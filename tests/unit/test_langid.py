"""Language identification of a file's strings (source locale `auto`), through lingua."""

from __future__ import annotations

import threading

import pytest

from dragoman.content import langid
from dragoman.content.langid import detect_locale

# The strings of a small app's resource file, as each language writes them (its own letters
# and punctuation on purpose).
# ruff: noqa: RUF001
UI_STRINGS = {
    "en": ["Save the file", "Open settings", "Cancel", "Delete account", "Are you sure?",
           "Sign in", "Forgot your password?", "Welcome back, %{name}!",
           "You have %d new messages", "Log out"],
    "fr": ["Enregistrer le fichier", "Ouvrir les paramètres", "Annuler", "Supprimer le compte",
           "Êtes-vous sûr ?", "Se connecter", "Mot de passe oublié ?", "Bon retour, %{name} !",
           "Vous avez %d nouveaux messages", "Se déconnecter"],
    "es": ["Guardar archivo", "Abrir configuración", "Cancelar", "Eliminar cuenta",
           "¿Estás seguro?", "Iniciar sesión", "¿Olvidaste tu contraseña?",
           "Bienvenido de nuevo, {name}", "Tienes %1$s mensajes nuevos", "Cerrar sesión"],
    "de": ["Datei speichern", "Einstellungen öffnen", "Abbrechen", "Konto löschen",
           "Sind Sie sicher?", "Anmelden", "Passwort vergessen?", "Willkommen zurück, {{name}}!",
           "Sie haben %d neue Nachrichten", "Abmelden"],
    "it": ["Salva il file", "Apri impostazioni", "Annulla", "Elimina account", "Sei sicuro?",
           "Accedi", "Password dimenticata?", "Bentornato, %@!", "Hai %d nuovi messaggi", "Esci"],
    "pt": ["Salvar arquivo", "Abrir configurações", "Cancelar", "Excluir conta",
           "Tem certeza?", "Entrar", "Esqueceu sua senha?", "Bem-vindo de volta, {0}!",
           "Você tem %d novas mensagens", "Sair"],
    "nl": ["Bestand opslaan", "Instellingen openen", "Annuleren", "Account verwijderen",
           "Weet je het zeker?", "Inloggen", "Wachtwoord vergeten?", "Welkom terug, %{name}!",
           "Je hebt %d nieuwe berichten", "Uitloggen"],
    "ru": ["Сохранить файл", "Открыть настройки", "Отмена", "Удалить аккаунт", "Вы уверены?",
           "Войти", "Забыли пароль?", "С возвращением, %{name}!", "У вас %d новых сообщений",
           "Выйти"],
    "ja": ["ファイルを保存", "設定を開く", "キャンセル", "アカウントを削除", "よろしいですか？",
           "ログイン", "パスワードをお忘れですか？", "おかえりなさい、%{name}さん",
           "新しいメッセージが%d件あります", "ログアウト"],
}  # fmt: skip


@pytest.mark.parametrize("language", sorted(UI_STRINGS))
def test_a_files_short_ui_strings(language: str) -> None:
    assert detect_locale(UI_STRINGS[language]) == language


def test_a_few_short_strings_with_markup_and_placeholders() -> None:
    texts = ["<b>Welcome</b> to your dashboard", "Read the <a href='/docs'>documentation</a>",
             "{count, plural, one {# file was deleted} other {# files were deleted}}"]  # fmt: skip
    assert detect_locale(texts) == "en"
    assert detect_locale(["Dieses Feld ist erforderlich", "Bitte warten Sie einen Moment"]) == "de"


def test_placeholders_do_not_decide() -> None:
    # Without stripping, `%{name}`/`%s` trigrams pull short strings to unrelated languages.
    assert langid._sample(["Hello %{name}, %1$s and %@ {0} {{x}} <b>x</b> https://a.io/s"]) == (
        "Hello , and x"
    )


def test_nothing_to_tell_by_is_none() -> None:
    assert detect_locale([]) is None
    assert detect_locale(["", "  ", "42", "%s", "{name}", "https://example.com", "…"]) is None


def test_restricted_to_candidates_returns_the_candidate_tag() -> None:
    texts = ["Cancelar", "¿Estás seguro?", "Iniciar sesión"]
    assert detect_locale(texts, ["pt-BR", "es-419"]) == "es-419"
    assert detect_locale(UI_STRINGS["pt"], ["es", "pt-BR"]) == "pt-BR"
    # An English file among candidates that exclude English gets the nearest candidate.
    assert detect_locale(UI_STRINGS["en"], ["fr", "de"]) in ("fr", "de")


def test_one_or_no_known_candidate() -> None:
    assert detect_locale(["Hello world"], ["en-GB"]) == "en-GB"
    assert detect_locale(["Hello world"], ["en-GB", "qaa", "not a tag"]) == "en-GB"
    assert detect_locale(["Hello world"], ["qaa"]) is None
    assert detect_locale(["Hello world"], []) is None
    assert detect_locale([""], ["en"]) is None


def test_detector_is_built_once_per_candidate_set_across_threads() -> None:
    langid._build.cache_clear()
    results: list[str | None] = []

    def detect() -> None:
        results.append(detect_locale(UI_STRINGS["fr"], ["fr", "en"]))

    threads = [threading.Thread(target=detect) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    detect_locale(UI_STRINGS["de"], ["en", "fr"])  # same set, another order
    assert results == ["fr"] * 4
    assert langid._build.cache_info().misses == 1


def test_large_file_is_sampled_not_read_whole() -> None:
    texts = [f"Item {i}: the quick brown fox jumps over the lazy dog" for i in range(200_000)]
    assert detect_locale(texts) == "en"
    assert len(langid._sample(texts)) < 11_000
