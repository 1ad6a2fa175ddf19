"""ISO 3166-1 alpha-2 country codes, and the country names lists write instead of codes.

OFAC remarks ("nationality Colombia"), UN `NATIONALITY/VALUE` and address countries are names;
screening compares codes. Names are compared folded (no accents, upper case, punctuation and a
leading "THE" dropped); a name we do not know gives no country (never a guess).
"""

from __future__ import annotations

import re

from journey.query_side.population import fold

# Code -> English short name: the 249 officially assigned codes, plus XK (Kosovo), which the
# UN and OFAC lists use.
NAMES: dict[str, str] = {
    "AD": "Andorra", "AE": "United Arab Emirates", "AF": "Afghanistan",
    "AG": "Antigua and Barbuda", "AI": "Anguilla", "AL": "Albania", "AM": "Armenia",
    "AO": "Angola", "AQ": "Antarctica", "AR": "Argentina", "AS": "American Samoa",
    "AT": "Austria", "AU": "Australia", "AW": "Aruba", "AX": "Aland Islands",
    "AZ": "Azerbaijan", "BA": "Bosnia and Herzegovina", "BB": "Barbados", "BD": "Bangladesh",
    "BE": "Belgium", "BF": "Burkina Faso", "BG": "Bulgaria", "BH": "Bahrain", "BI": "Burundi",
    "BJ": "Benin", "BL": "Saint Barthelemy", "BM": "Bermuda", "BN": "Brunei", "BO": "Bolivia",
    "BQ": "Bonaire, Sint Eustatius and Saba", "BR": "Brazil", "BS": "Bahamas", "BT": "Bhutan",
    "BV": "Bouvet Island", "BW": "Botswana", "BY": "Belarus", "BZ": "Belize", "CA": "Canada",
    "CC": "Cocos (Keeling) Islands", "CD": "Democratic Republic of the Congo",
    "CF": "Central African Republic", "CG": "Congo", "CH": "Switzerland",
    "CI": "Cote d'Ivoire", "CK": "Cook Islands", "CL": "Chile", "CM": "Cameroon",
    "CN": "China", "CO": "Colombia", "CR": "Costa Rica", "CU": "Cuba", "CV": "Cabo Verde",
    "CW": "Curacao", "CX": "Christmas Island", "CY": "Cyprus", "CZ": "Czechia",
    "DE": "Germany", "DJ": "Djibouti", "DK": "Denmark", "DM": "Dominica",
    "DO": "Dominican Republic", "DZ": "Algeria", "EC": "Ecuador", "EE": "Estonia",
    "EG": "Egypt", "EH": "Western Sahara", "ER": "Eritrea", "ES": "Spain", "ET": "Ethiopia",
    "FI": "Finland", "FJ": "Fiji", "FK": "Falkland Islands", "FM": "Micronesia",
    "FO": "Faroe Islands", "FR": "France", "GA": "Gabon", "GB": "United Kingdom",
    "GD": "Grenada", "GE": "Georgia", "GF": "French Guiana", "GG": "Guernsey", "GH": "Ghana",
    "GI": "Gibraltar", "GL": "Greenland", "GM": "Gambia", "GN": "Guinea", "GP": "Guadeloupe",
    "GQ": "Equatorial Guinea", "GR": "Greece",
    "GS": "South Georgia and the South Sandwich Islands", "GT": "Guatemala", "GU": "Guam",
    "GW": "Guinea-Bissau", "GY": "Guyana", "HK": "Hong Kong",
    "HM": "Heard Island and McDonald Islands", "HN": "Honduras", "HR": "Croatia",
    "HT": "Haiti", "HU": "Hungary", "ID": "Indonesia", "IE": "Ireland", "IL": "Israel",
    "IM": "Isle of Man", "IN": "India", "IO": "British Indian Ocean Territory", "IQ": "Iraq",
    "IR": "Iran", "IS": "Iceland", "IT": "Italy", "JE": "Jersey", "JM": "Jamaica",
    "JO": "Jordan", "JP": "Japan", "KE": "Kenya", "KG": "Kyrgyzstan", "KH": "Cambodia",
    "KI": "Kiribati", "KM": "Comoros", "KN": "Saint Kitts and Nevis", "KP": "North Korea",
    "KR": "South Korea", "KW": "Kuwait", "KY": "Cayman Islands", "KZ": "Kazakhstan",
    "LA": "Laos", "LB": "Lebanon", "LC": "Saint Lucia", "LI": "Liechtenstein",
    "LK": "Sri Lanka", "LR": "Liberia", "LS": "Lesotho", "LT": "Lithuania",
    "LU": "Luxembourg", "LV": "Latvia", "LY": "Libya", "MA": "Morocco", "MC": "Monaco",
    "MD": "Moldova", "ME": "Montenegro", "MF": "Saint Martin", "MG": "Madagascar",
    "MH": "Marshall Islands", "MK": "North Macedonia", "ML": "Mali", "MM": "Myanmar",
    "MN": "Mongolia", "MO": "Macao", "MP": "Northern Mariana Islands", "MQ": "Martinique",
    "MR": "Mauritania", "MS": "Montserrat", "MT": "Malta", "MU": "Mauritius",
    "MV": "Maldives", "MW": "Malawi", "MX": "Mexico", "MY": "Malaysia", "MZ": "Mozambique",
    "NA": "Namibia", "NC": "New Caledonia", "NE": "Niger", "NF": "Norfolk Island",
    "NG": "Nigeria", "NI": "Nicaragua", "NL": "Netherlands", "NO": "Norway", "NP": "Nepal",
    "NR": "Nauru", "NU": "Niue", "NZ": "New Zealand", "OM": "Oman", "PA": "Panama",
    "PE": "Peru", "PF": "French Polynesia", "PG": "Papua New Guinea", "PH": "Philippines",
    "PK": "Pakistan", "PL": "Poland", "PM": "Saint Pierre and Miquelon", "PN": "Pitcairn",
    "PR": "Puerto Rico", "PS": "Palestine", "PT": "Portugal", "PW": "Palau", "PY": "Paraguay",
    "QA": "Qatar", "RE": "Reunion", "RO": "Romania", "RS": "Serbia", "RU": "Russia",
    "RW": "Rwanda", "SA": "Saudi Arabia", "SB": "Solomon Islands", "SC": "Seychelles",
    "SD": "Sudan", "SE": "Sweden", "SG": "Singapore",
    "SH": "Saint Helena, Ascension and Tristan da Cunha", "SI": "Slovenia",
    "SJ": "Svalbard and Jan Mayen", "SK": "Slovakia", "SL": "Sierra Leone",
    "SM": "San Marino", "SN": "Senegal", "SO": "Somalia", "SR": "Suriname",
    "SS": "South Sudan", "ST": "Sao Tome and Principe", "SV": "El Salvador",
    "SX": "Sint Maarten", "SY": "Syria", "SZ": "Eswatini", "TC": "Turks and Caicos Islands",
    "TD": "Chad", "TF": "French Southern Territories", "TG": "Togo", "TH": "Thailand",
    "TJ": "Tajikistan", "TK": "Tokelau", "TL": "Timor-Leste", "TM": "Turkmenistan",
    "TN": "Tunisia", "TO": "Tonga", "TR": "Turkiye", "TT": "Trinidad and Tobago",
    "TV": "Tuvalu", "TW": "Taiwan", "TZ": "Tanzania", "UA": "Ukraine", "UG": "Uganda",
    "UM": "United States Minor Outlying Islands", "US": "United States", "UY": "Uruguay",
    "UZ": "Uzbekistan", "VA": "Holy See", "VC": "Saint Vincent and the Grenadines",
    "VE": "Venezuela", "VG": "British Virgin Islands", "VI": "U.S. Virgin Islands",
    "VN": "Vietnam", "VU": "Vanuatu", "WF": "Wallis and Futuna", "WS": "Samoa",
    "XK": "Kosovo", "YE": "Yemen", "YT": "Mayotte", "ZA": "South Africa", "ZM": "Zambia",
    "ZW": "Zimbabwe",
}  # fmt: skip

# Other spellings seen in OFAC remarks, the UN list (English and Spanish editions) and forms.
_OTHER_NAMES: dict[str, str] = {
    "UNITED STATES OF AMERICA": "US", "USA": "US", "ESTADOS UNIDOS": "US",
    "UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND": "GB", "GREAT BRITAIN": "GB",
    "UK": "GB", "RUSSIAN FEDERATION": "RU", "IRAN ISLAMIC REPUBLIC OF": "IR",
    "VENEZUELA BOLIVARIAN REPUBLIC OF": "VE", "BOLIVIA PLURINATIONAL STATE OF": "BO",
    "SYRIAN ARAB REPUBLIC": "SY", "DEMOCRATIC PEOPLES REPUBLIC OF KOREA": "KP",
    "KOREA NORTH": "KP", "REPUBLIC OF KOREA": "KR", "KOREA SOUTH": "KR",
    "LAO PEOPLES DEMOCRATIC REPUBLIC": "LA", "VIET NAM": "VN",
    "UNITED REPUBLIC OF TANZANIA": "TZ", "REPUBLIC OF MOLDOVA": "MD", "CZECH REPUBLIC": "CZ",
    "BURMA": "MM", "IVORY COAST": "CI", "TURKEY": "TR", "SWAZILAND": "SZ", "MACEDONIA": "MK",
    "THE FORMER YUGOSLAV REPUBLIC OF MACEDONIA": "MK", "CAPE VERDE": "CV", "EAST TIMOR": "TL",
    "CONGO DEMOCRATIC REPUBLIC OF THE": "CD", "REPUBLIC OF THE CONGO": "CG",
    "CONGO REPUBLIC OF THE": "CG", "STATE OF PALESTINE": "PS", "VATICAN CITY": "VA",
    "BRUNEI DARUSSALAM": "BN", "MICRONESIA FEDERATED STATES OF": "FM", "MACAU": "MO",
    "BRASIL": "BR", "MEJICO": "MX", "ESPANA": "ES", "REPUBLICA DOMINICANA": "DO",
}  # fmt: skip

_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
_APOSTROPHES = re.compile("['\u2018\u2019`\u00b4]")


def _key(name: str) -> str:
    words = _NON_ALNUM.sub(" ", _APOSTROPHES.sub("", fold(name))).split()
    if words and words[0] == "THE":
        words = words[1:]
    return " ".join(words)


_BY_NAME: dict[str, str] = {_key(name): code for code, name in NAMES.items()}
_BY_NAME.update({_key(name): code for name, code in _OTHER_NAMES.items()})


def is_country_code(code: str) -> bool:
    """Whether `code` is an ISO 3166-1 alpha-2 code we know (upper case)."""
    return code in NAMES


def country_code(text: str) -> str | None:
    """The code for a country written as a code or a name; None when we do not know it."""
    stripped = text.strip()
    if stripped.upper() in NAMES and len(stripped) == 2:
        return stripped.upper()
    return _BY_NAME.get(_key(stripped))


def country_name(code: str) -> str:
    """The English short name for a known code."""
    return NAMES[code]
