/**
 * @module config/grafana-unit-ids
 * Grafana's standard unit ids (a panel's `fieldConfig.defaults.unit`), as data.
 *
 * Source: grafana/grafana, the @grafana/data package's valueFormats/categories.ts (getCategories),
 * as of Grafana 12 (mid-2025, unit names translated with `t()` from @grafana/i18n), in its order,
 * one line per category; plus `farenheit`, the old id valueFormats.ts `buildFormats` maps to
 * `fahrenheit`. Ids only: no formatting code. A newer list is a superset of the older ones
 * (ids are added, not removed), so a board using an id added after the Grafana it runs on shows
 * the number with the id after it, as for any unknown unit.
 */
export const GRAFANA_UNIT_IDS: readonly string[] = [
  // Misc
  ...['none', 'string', 'short', 'sishort', 'percent', 'percentunit', 'humidity', 'dB', 'candela', 'hex0x', 'hex', 'sci', 'locale', 'pixel'],
  // Acceleration, Angle, Area
  ...['accMS2', 'accFS2', 'accG', 'degree', 'radian', 'grad', 'arcmin', 'arcsec', 'areaM2', 'areaF2', 'areaMI2', 'acres', 'hectares'],
  // Computation
  ...['flops', 'mflops', 'gflops', 'tflops', 'pflops', 'eflops', 'zflops', 'yflops'],
  // Concentration
  ...['ppm', 'conppb', 'conngm3', 'conngNm3', 'conμgm3', 'conμgNm3', 'conmgm3', 'conmgNm3', 'congm3', 'congNm3', 'conmgdL', 'conmmolL'],
  // Currency
  ...['currencyUSD', 'currencyGBP', 'currencyEUR', 'currencyJPY', 'currencyRUB', 'currencyUAH', 'currencyBRL', 'currencyDKK', 'currencyISK', 'currencyNOK'],
  ...['currencySEK', 'currencyCZK', 'currencyCHF', 'currencyPLN', 'currencyBTC', 'currencymBTC', 'currencyμBTC', 'currencyZAR', 'currencyINR', 'currencyKRW'],
  ...['currencyIDR', 'currencyPHP', 'currencyVND', 'currencyTRY', 'currencyMYR', 'currencyXPF', 'currencyBGN', 'currencyPYG', 'currencyUYU', 'currencyILS'],
  // Data
  ...['bytes', 'decbytes', 'bits', 'decbits', 'kbytes', 'deckbytes', 'mbytes', 'decmbytes', 'gbytes', 'decgbytes', 'tbytes', 'dectbytes', 'pbytes', 'decpbytes'],
  // Data rate
  ...['pps', 'binBps', 'Bps', 'binbps', 'bps', 'KiBs', 'Kibits', 'KBs', 'Kbits', 'MiBs', 'Mibits', 'MBs', 'Mbits'],
  ...['GiBs', 'Gibits', 'GBs', 'Gbits', 'TiBs', 'Tibits', 'TBs', 'Tbits', 'PiBs', 'Pibits', 'PBs', 'Pbits'],
  // Date & time
  ...['dateTimeAsIso', 'dateTimeAsIsoNoDateIfToday', 'dateTimeAsUS', 'dateTimeAsUSNoDateIfToday', 'dateTimeAsLocal', 'dateTimeAsLocalNoDateIfToday'],
  ...['dateTimeAsSystem', 'dateTimeFromNow'],
  // Energy
  ...['watt', 'kwatt', 'megwatt', 'gwatt', 'mwatt', 'Wm2', 'voltamp', 'kvoltamp', 'voltampreact', 'kvoltampreact', 'watth', 'watthperkg', 'kwatth'],
  ...['kwattm', 'mwatth', 'amph', 'kamph', 'mamph', 'joule', 'ev', 'amp', 'kamp', 'mamp', 'volt', 'kvolt', 'mvolt', 'dBm', 'mohm', 'ohm', 'kohm'],
  ...['Mohm', 'farad', 'µfarad', 'nfarad', 'pfarad', 'ffarad', 'henry', 'mhenry', 'µhenry', 'lumens'],
  // Flow, Force
  ...['flowgpm', 'flowcms', 'flowcfs', 'flowcfm', 'litreh', 'flowlpm', 'flowmlpm', 'lux', 'forceNm', 'forcekNm', 'forceN', 'forcekN'],
  // Hash rate, Mass, Length
  ...['Hs', 'KHs', 'MHs', 'GHs', 'THs', 'PHs', 'EHs', 'massmg', 'massg', 'masslb', 'masskg', 'masst'],
  ...['lengthmm', 'lengthin', 'lengthft', 'lengthm', 'lengthkm', 'lengthmi'],
  // Pressure, Radiation
  ...['pressurembar', 'pressurebar', 'pressurekbar', 'pressurepa', 'pressurehpa', 'pressurekpa', 'pressurehg', 'pressurepsi'],
  ...['radbq', 'radci', 'radgy', 'radrad', 'radsv', 'radmsv', 'radusv', 'radrem', 'radexpckg', 'radr', 'radsvh', 'radmsvh', 'radusvh'],
  // Rotational speed, Temperature
  ...['rotrpm', 'rothz', 'rotkhz', 'rotmhz', 'rotghz', 'rotrads', 'rotdegs', 'celsius', 'fahrenheit', 'kelvin'],
  // Time
  ...['hertz', 'ns', 'µs', 'ms', 's', 'm', 'h', 'd', 'dtdurationms', 'dtdurations', 'dthms', 'dtdhms', 'timeticks', 'clockms', 'clocks'],
  // Throughput
  ...['cps', 'ops', 'reqps', 'rps', 'wps', 'iops', 'eps', 'mps', 'recps', 'rowsps', 'cpm', 'opm', 'reqpm', 'rpm', 'wpm', 'epm', 'mpm', 'recpm', 'rowspm'],
  // Velocity, Volume, Boolean
  ...['velocityms', 'velocitykmh', 'velocitymph', 'velocityknot', 'mlitre', 'litre', 'm3', 'Nm3', 'dm3', 'gallons', 'bool', 'bool_yes_no', 'bool_on_off'],
  // valueFormats.ts: an old id Grafana still resolves
  'farenheit',
];

/**
 * The `<kind>:<text>` custom units Grafana's getValueFormat (valueFormats.ts) understands: e.g.
 * `suffix:req`, `prefix:£`, `si:mB`, `count:req`, `currency:CHF`, `time:YYYY-MM-DD`, `bool:up/down`.
 */
export const GRAFANA_CUSTOM_UNIT_KINDS: readonly string[] = ['suffix', 'prefix', 'si', 'count', 'currency', 'time', 'bool'];
