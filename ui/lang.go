package ui

import (
	"fmt"

	"fyne.io/fyne/v2/lang"

	"kense/assets"
	"kense/i18n"
)

// SettingLanguage is the setting that remembers the chosen language; the
// same name as cache.SettingLanguage, so kensectl reads the same choice.
const SettingLanguage = "language"

// SystemLang is the OS language when Kense has it, else Kazakh.
func SystemLang() i18n.Lang {
	if l, ok := i18n.Parse(string(lang.SystemLocale())); ok {
		return l
	}
	return i18n.KK
}

// StartLang is the language remembered in the settings, else SystemLang.
func StartLang(s SignInSettings) i18n.Lang {
	if s != nil {
		if v, ok, err := s.Setting(SettingLanguage); err == nil && ok {
			if l, ok := i18n.Parse(v); ok {
				return l
			}
		}
	}
	return SystemLang()
}

// ApplyLang switches Kense's catalogue and Fyne's own strings (dialog
// buttons, file dialogs, entry menus) to l. Fyne has no call to pick a
// language and ships no Kazakh, so l's Fyne texts are loaded as if they were
// the system locale's: the localizer follows the system locale and the
// latest file loaded for it wins.
func ApplyLang(l i18n.Lang) error {
	i18n.SetLang(l)
	data, err := assets.I18n.ReadFile("i18n/fyne/" + string(l) + ".json")
	if err != nil {
		return fmt.Errorf("ui: fyne texts for %s: %w", l, err)
	}
	return lang.AddTranslationsForLocale(data, lang.SystemLocale())
}
