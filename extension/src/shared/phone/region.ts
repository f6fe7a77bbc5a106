// The region numbers without a country code are read in: the user's setting, else the
// browser's languages; and the regions the options page offers, named in the UI language.

import { getCountries, isSupportedCountry, type CountryCode } from "libphonenumber-js/max";

function supportedRegion(code: string): CountryCode | undefined {
  const upper = code.toUpperCase();
  return /^[A-Z]{2}$/.test(upper) && isSupportedCountry(upper) ? (upper as CountryCode) : undefined;
}

/**
 * The default region: a valid two-letter setting if given, else the region
 * of the first browser language that names one ("en-GB" gives GB, "zh-Hans-CN"
 * gives CN, "de" names none), else undefined.
 */
export function defaultRegion(
  setting: string | null | undefined,
  languages: readonly string[],
): CountryCode | undefined {
  const fromSetting = setting ? supportedRegion(setting.trim()) : undefined;
  if (fromSetting) return fromSetting;
  for (const language of languages) {
    const subtags = language.trim().split(/[-_]/);
    for (let i = 1; i < subtags.length; i++) {
      const subtag = subtags[i] as string;
      if (subtag.length === 1) break; // extensions and private use follow
      if (subtag.length === 2) {
        const region = supportedRegion(subtag);
        if (region) return region;
        break;
      }
    }
  }
  return undefined;
}

/** A region's name in `language` ("Germany" for "DE"), or the code when the browser has none. */
export function regionName(code: string, language: string): string {
  try {
    return new Intl.DisplayNames([language], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** Every region libphonenumber knows, named in `language` and sorted by name. */
export function regionChoices(language: string): { code: CountryCode; name: string }[] {
  return getCountries()
    .map((code) => ({ code, name: regionName(code, language) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
