/**
 * English country and continent names for ISO 3166-1 codes, as MaxMind's GeoIP2/GeoLite2 databases spell them, for
 * databases that store only `country_code` (the shipped country database). Names come from the runtime's CLDR data
 * (Intl.DisplayNames) except where MaxMind's English name differs; both lists were checked against every country
 * record of a GeoLite2-Country database (250 codes).
 */

/** MaxMind continent codes (GeoIP2 `continent.code`) and their English names. */
const CONTINENT_NAMES: Readonly<Record<string, string>> = {
  AF: 'Africa',
  AN: 'Antarctica',
  AS: 'Asia',
  EU: 'Europe',
  NA: 'North America',
  OC: 'Oceania',
  SA: 'South America',
};

const CONTINENT_MEMBERS: Readonly<Record<string, string>> = {
  AF: 'AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW',
  AN: 'AQ BV GS HM TF',
  AS: 'AE AF AM AZ BD BH BN BT CC CN GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TM TR TW UZ VN YE',
  EU: 'AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK',
  NA: 'AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX NI PA PM PR SV SX TC TT US VC VG VI',
  OC: 'AS AU CK CX FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TL TO TV UM VU WF WS',
  SA: 'AR BO BR CL CO EC FK GF GY PE PY SR UY VE',
};

/** Where MaxMind's English name is not CLDR's (e.g. `Hong Kong`, not `Hong Kong SAR China`). */
const MAXMIND_NAMES: Readonly<Record<string, string>> = {
  AG: 'Antigua and Barbuda',
  AX: 'Åland',
  BA: 'Bosnia and Herzegovina',
  BL: 'Saint Barthélemy',
  BQ: 'Bonaire, Sint Eustatius, and Saba',
  CC: 'Cocos [Keeling] Islands',
  CD: 'DR Congo',
  CG: 'Congo Republic',
  CI: 'Ivory Coast',
  CV: 'Cabo Verde',
  FM: 'Federated States of Micronesia',
  GS: 'South Georgia and the South Sandwich Islands',
  HK: 'Hong Kong',
  HM: 'Heard Island and McDonald Islands',
  JO: 'Hashemite Kingdom of Jordan',
  KN: 'St Kitts and Nevis',
  LC: 'Saint Lucia',
  LT: 'Republic of Lithuania',
  MD: 'Republic of Moldova',
  MF: 'Saint Martin',
  MM: 'Myanmar',
  MO: 'Macao',
  PM: 'Saint Pierre and Miquelon',
  PS: 'Palestine',
  SH: 'Saint Helena',
  SJ: 'Svalbard and Jan Mayen',
  ST: 'São Tomé and Príncipe',
  TC: 'Turks and Caicos Islands',
  TL: 'East Timor',
  TT: 'Trinidad and Tobago',
  UM: 'U.S. Minor Outlying Islands',
  VC: 'Saint Vincent and the Grenadines',
  WF: 'Wallis and Futuna',
};

const continentOf = new Map<string, string>();
for (const [continent, members] of Object.entries(CONTINENT_MEMBERS)) {
  for (const code of members.split(' ')) continentOf.set(code, continent);
}

let displayNames: Intl.DisplayNames | undefined;

/** `SE` → `Sweden`; undefined for a code that is not a known region. */
export function countryName(isoCode: string): string | undefined {
  if (!/^[A-Z]{2}$/.test(isoCode)) return undefined;
  const override = MAXMIND_NAMES[isoCode];
  if (override !== undefined) return override;
  displayNames ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  return displayNames.of(isoCode);
}

/** `SE` → `Europe`. */
export function continentName(isoCode: string): string | undefined {
  const continent = continentOf.get(isoCode);
  return continent === undefined ? undefined : CONTINENT_NAMES[continent];
}
