/**
 * The fixed runtime of a generated Java scorer: the record-reading rules (src/export/record-rules.ts),
 * JavaScript's number-to-text (a number given for a category is its JS text: 42 is "42", not "42.0"),
 * JSON text for error messages, argmax, sigmoid, softmax and the packed-array readers. Each follows the
 * evaluator's code (src/data/cells.ts, src/features/record.ts, src/ir/evaluate.ts); the parity tests
 * check them on edge values. Java's Double.parseDouble accepts more than parseNumber ("1d", "NaN",
 * "0x1p3"), so text is checked against the decimal syntax first.
 */
import { EXPECTED, MISSING_TOKENS, SHOWN_CUT, SHOWN_MAX } from '../record-rules.js'
import { javaString } from './literals.js'

export const JAVA_RUNTIME = `  // ---- runtime: the record rules of mlkafka's model IR ----

  /**
   * A record that cannot be scored: a field has the wrong type ({@link #getField()} names it), or the
   * model gives no number for it (getField() is null: a value far beyond the range training saw).
   */
  public static final class ScoringException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public ScoringException(String field, String problem) {
      super(field == null ? problem : "field \\"" + field + "\\": " + problem);
      this.field = field;
    }

    /** The input field whose value has the wrong type; null when the model gives no number for the record. */
    public String getField() {
      return field;
    }
  }

  private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("[+-]?(?:[0-9]+\\\\.?[0-9]*|\\\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");

  /** JavaScript's String.prototype.trim: white space and line terminators at both ends. */
  private static boolean isJsSpace(char c) {
    return c == ' ' || (c >= '\\t' && c <= '\\r') || c == '\\u00a0' || c == '\\u1680' || (c >= '\\u2000' && c <= '\\u200a')
        || c == '\\u2028' || c == '\\u2029' || c == '\\u202f' || c == '\\u205f' || c == '\\u3000' || c == '\\ufeff';
  }

  private static String jsTrim(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && isJsSpace(s.charAt(a))) a++;
    while (b > a && isJsSpace(s.charAt(b - 1))) b--;
    return s.substring(a, b);
  }

  /** Whether jsTrim may take something off at this end: ASCII blanks and controls, and white space beyond ASCII (U+00A0...). */
  private static boolean mayTrimAt(char c) {
    return c <= 32 || c >= 160;
  }

  /** Texts that mean "no value", compared after trimming white space. */
  private static boolean isMissingText(String s) {
    if (s.isEmpty()) return true;
    if (mayTrimAt(s.charAt(0)) || mayTrimAt(s.charAt(s.length() - 1))) s = jsTrim(s);
    switch (s) {
${MISSING_TOKENS.map((t) => `      case ${javaString(t)}:`).join('\n')}
        return true;
      default:
        return false;
    }
  }

  /** A decimal number (surrounding blanks allowed), else NaN: hex, Infinity, NaN and 1d are text. */
  private static double parseNumber(String s) {
    String t = s;
    if (t.isEmpty()) return Double.NaN;
    if (mayTrimAt(t.charAt(0)) || mayTrimAt(t.charAt(t.length() - 1))) {
      t = jsTrim(t);
      if (t.isEmpty()) return Double.NaN;
    }
    if (!DECIMAL.matcher(t).matches()) return Double.NaN;
    return Double.parseDouble(t);
  }

  /** true/false in any letter case, else null. */
  private static Boolean parseBoolean(String s) {
    String t = jsTrim(s).toLowerCase(java.util.Locale.ROOT);
    if (t.equals("true")) return Boolean.TRUE;
    if (t.equals("false")) return Boolean.FALSE;
    return null;
  }

  /** A number field: NaN when missing; numbers, numeric text and true/false accepted. */
  private static double readNumber(String field, Object value) {
    if (value == null) return Double.NaN;
    if (value instanceof Number) return ((Number) value).doubleValue();
    if (value instanceof Boolean) return ((Boolean) value) ? 1 : 0;
    if (value instanceof CharSequence) {
      String s = value.toString();
      if (isMissingText(s)) return Double.NaN;
      double v = parseNumber(s);
      if (Double.isNaN(v)) throw new ScoringException(field, ${javaString(EXPECTED.number + ', got ')} + show(value));
      return v;
    }
    throw new ScoringException(field, ${javaString(EXPECTED.number + ', got ')} + show(value));
  }

  /** The value, or null when it is one of the texts the training file read as missing in this field (after trimming white space). */
  private static Object unlessMissingText(Object value, java.util.Set<String> missingTexts) {
    return value instanceof CharSequence && missingTexts.contains(jsTrim(value.toString())) ? null : value;
  }

  /** A number with a decimal comma (1,5), else NaN: the first comma stands for the point. */
  private static double parseCommaNumber(String s) {
    int i = s.indexOf(',');
    return i < 0 ? Double.NaN : parseNumber(s.substring(0, i) + "." + s.substring(i + 1));
  }

  private static final java.util.regex.Pattern ISO_DATE = java.util.regex.Pattern.compile("(\\\\d{4})-(\\\\d{2})-(\\\\d{2})(?:[T ](\\\\d{2}):(\\\\d{2})(?::(\\\\d{2})(\\\\.\\\\d{1,9})?)?)?(Z|[+-]\\\\d{2}:?\\\\d{2})?");

  /** An ISO 8601 date or date-time (2024-05-01, 2024-05-01T13:45:30.25+02:00) as days since 1970-01-01 UTC (no offset: UTC), else NaN. */
  private static double parseIsoDate(String s) {
    String t = s;
    if (!t.isEmpty() && (mayTrimAt(t.charAt(0)) || mayTrimAt(t.charAt(t.length() - 1)))) t = jsTrim(t);
    if (t.length() < 10 || t.charAt(4) != '-') return Double.NaN;
    java.util.regex.Matcher m = ISO_DATE.matcher(t);
    if (!m.matches()) return Double.NaN;
    int year = Integer.parseInt(m.group(1));
    int month = Integer.parseInt(m.group(2));
    int day = Integer.parseInt(m.group(3));
    boolean leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    int last = month == 2 ? (leap ? 29 : 28) : month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
    if (month < 1 || month > 12 || day < 1 || day > last) return Double.NaN;
    int hour = m.group(4) == null ? 0 : Integer.parseInt(m.group(4));
    int minute = m.group(5) == null ? 0 : Integer.parseInt(m.group(5));
    int second = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
    if (hour > 23 || minute > 59 || second > 59) return Double.NaN;
    int offset = 0;
    String zone = m.group(8);
    if (zone != null && !zone.equals("Z")) {
      String digits = zone.replace(":", "");
      int oh = Integer.parseInt(digits.substring(1, 3));
      int om = Integer.parseInt(digits.substring(3, 5));
      if (oh > 23 || om > 59) return Double.NaN;
      offset = (zone.charAt(0) == '-' ? -1 : 1) * (oh * 60 + om);
    }
    // Days from 1970-01-01 (Howard Hinnant's days_from_civil), then the time as a fraction of a day.
    long y = month <= 2 ? year - 1 : year;
    long era = Math.floorDiv(y, 400);
    long yoe = y - era * 400;
    long doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    long days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    double seconds = (double) ((hour * 60 + minute - offset) * 60 + second) + (m.group(7) == null ? 0 : Double.parseDouble("0" + m.group(7)));
    return (double) days + seconds / 86400;
  }

  /** A number field whose text may also be a number with a decimal comma (comma: 1,5 is 1.5) or an ISO date (dates: days since 1970-01-01 UTC); otherwise as readNumber. */
  private static double readTextNumber(String field, Object value, boolean comma, boolean dates) {
    if (value instanceof CharSequence) {
      String s = value.toString();
      double v = comma ? parseCommaNumber(s) : Double.NaN;
      if (Double.isNaN(v) && dates) v = parseIsoDate(s);
      if (!Double.isNaN(v)) return v;
    }
    return readNumber(field, value);
  }

  /** The level a text that is no level stands for: the shortest (JavaScript) text of a number (1.50 is 1.5), true/false in any case; else the text without blanks around it. */
  private static String canonicalLevel(String s) {
    double v = parseNumber(s);
    if (!Double.isNaN(v)) return jsNumber(v);
    Boolean b = parseBoolean(s);
    return b == null ? jsTrim(s) : b ? "true" : "false";
  }

  /** A boolean field as 1/0: NaN when missing; true/false (also as text) and 0/1 accepted. */
  private static double readBoolean(String field, Object value) {
    if (value == null) return Double.NaN;
    if (value instanceof Number) {
      double v = ((Number) value).doubleValue();
      if (v != 0 && v != 1 && !Double.isNaN(v)) throw new ScoringException(field, ${javaString(EXPECTED.boolean + ', got ')} + show(value));
      return v;
    }
    if (value instanceof Boolean) return ((Boolean) value) ? 1 : 0;
    if (value instanceof CharSequence) {
      String s = value.toString();
      if (isMissingText(s)) return Double.NaN;
      Boolean b = parseBoolean(s);
      if (b != null) return b ? 1 : 0;
      double v = parseNumber(s);
      if (v == 0 || v == 1) return v;
      throw new ScoringException(field, ${javaString(EXPECTED.boolean + ', got ')} + show(value));
    }
    throw new ScoringException(field, ${javaString(EXPECTED.number + ', got ')} + show(value));
  }

  /** A category field's level, null when missing. Numbers and booleans count as their (JavaScript) text. */
  private static String readCategory(String field, Object value) {
    if (value == null) return null;
    if (value instanceof Number) {
      double v = ((Number) value).doubleValue();
      return Double.isNaN(v) ? null : jsNumber(v);
    }
    if (value instanceof Boolean) return value.toString();
    if (value instanceof CharSequence) {
      String s = value.toString();
      return isMissingText(s) ? null : s;
    }
    throw new ScoringException(field, ${javaString(EXPECTED.category + ', got ')} + show(value));
  }

  /** JavaScript's String(number): the shortest digits that read back as v, in JS's notation. */
  static String jsNumber(double v) {
    if (Double.isNaN(v)) return "NaN";
    if (Double.isInfinite(v)) return v > 0 ? "Infinity" : "-Infinity";
    if (v == 0) return "0";
    String sign = v < 0 ? "-" : "";
    double a = Math.abs(v);
    java.math.BigDecimal exact = new java.math.BigDecimal(a);
    java.math.BigDecimal shortest = exact;
    for (int p = 1; p <= 17; p++) {
      java.math.BigDecimal r = exact.round(new java.math.MathContext(p, java.math.RoundingMode.HALF_EVEN));
      if (r.doubleValue() == a) {
        shortest = r;
        break;
      }
    }
    shortest = shortest.stripTrailingZeros();
    String digits = shortest.unscaledValue().toString();
    int k = digits.length();
    int n = k - shortest.scale();
    StringBuilder out = new StringBuilder(sign);
    if (k <= n && n <= 21) {
      out.append(digits);
      for (int i = k; i < n; i++) out.append('0');
    } else if (0 < n && n <= 21) {
      out.append(digits, 0, n).append('.').append(digits, n, k);
    } else if (-6 < n && n <= 0) {
      out.append("0.");
      for (int i = 0; i < -n; i++) out.append('0');
      out.append(digits);
    } else {
      int e = n - 1;
      out.append(digits.charAt(0));
      if (k > 1) out.append('.').append(digits, 1, k);
      out.append('e').append(e >= 0 ? '+' : '-').append(Math.abs(e));
    }
    return out.toString();
  }

  /** A value as JSON.stringify shows it, cut to ${SHOWN_CUT} characters plus "..." when longer than ${SHOWN_MAX}. */
  private static String show(Object value) {
    String s;
    try {
      s = json(value, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
    } catch (IllegalArgumentException | StackOverflowError e) {
      // A Map or List that contains itself (JSON.stringify throws there, and JavaScript shows the object's tag), or nested past the stack.
      s = value instanceof java.util.Map ? "[object Object]" : value instanceof Iterable ? "[object Array]" : String.valueOf(value);
    }
    return s.length() > ${SHOWN_MAX} ? s.substring(0, ${SHOWN_CUT}) + "..." : s;
  }

  /** JSON of a value; open holds the Maps and Lists being written, so that one inside itself throws. */
  private static String json(Object v, java.util.Set<Object> open) {
    if (v == null) return "null";
    if (v instanceof CharSequence) return jsonString(v.toString());
    if (v instanceof Boolean) return v.toString();
    if (v instanceof Number) {
      double d = ((Number) v).doubleValue();
      return Double.isNaN(d) || Double.isInfinite(d) ? "null" : jsNumber(d);
    }
    if (v instanceof java.util.Map) {
      if (!open.add(v)) throw new IllegalArgumentException("a cycle");
      StringBuilder out = new StringBuilder("{");
      for (java.util.Map.Entry<?, ?> e : ((java.util.Map<?, ?>) v).entrySet()) {
        if (out.length() > 1) out.append(',');
        out.append(jsonString(String.valueOf(e.getKey()))).append(':').append(json(e.getValue(), open));
      }
      open.remove(v);
      return out.append('}').toString();
    }
    if (v instanceof Iterable) {
      if (!open.add(v)) throw new IllegalArgumentException("a cycle");
      StringBuilder out = new StringBuilder("[");
      for (Object item : (Iterable<?>) v) {
        if (out.length() > 1) out.append(',');
        out.append(json(item, open));
      }
      open.remove(v);
      return out.append(']').toString();
    }
    return jsonString(String.valueOf(v));
  }

  private static String jsonString(String s) {
    StringBuilder out = new StringBuilder("\\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': out.append("\\\\\\""); break;
        case '\\\\': out.append("\\\\\\\\"); break;
        case '\\b': out.append("\\\\b"); break;
        case '\\f': out.append("\\\\f"); break;
        case '\\n': out.append("\\\\n"); break;
        case '\\r': out.append("\\\\r"); break;
        case '\\t': out.append("\\\\t"); break;
        default:
          boolean lone = Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
              && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
          if (c < 0x20 || lone) out.append(String.format("\\\\u%04x", (int) c));
          else out.append(c);
      }
    }
    return out.append('"').toString();
  }

  /** Index of the largest score; the first one wins a tie. */
  private static int argmax(double[] s) {
    int best = 0;
    for (int j = 1; j < s.length; j++) if (s[j] > s[best]) best = j;
    return best;
  }

  private static double sigmoid(double z) {
    return 1 / (1 + StrictMath.exp(-z));
  }

  /** In-place softmax, in the evaluator's order: max, exp(z - max) summed in order, then divided. */
  private static void softmax(double[] s) {
    double max = s[0];
    for (int j = 1; j < s.length; j++) if (s[j] > max) max = s[j];
    double sum = 0;
    for (int j = 0; j < s.length; j++) {
      double e = StrictMath.exp(s[j] - max);
      s[j] = e;
      sum += e;
    }
    for (int j = 0; j < s.length; j++) s[j] = s[j] / sum;
  }

  /** Packed doubles: base64 of their big-endian IEEE 754 bytes (exact), split into string constants under 64 KB. */
  private static double[] doubles(String[] parts, int n) {
    double[] a = new double[n];
    java.nio.ByteBuffer.wrap(java.util.Base64.getDecoder().decode(String.join("", parts))).asDoubleBuffer().get(a);
    return a;
  }

  /** Packed ints: base64 of their big-endian bytes. */
  private static int[] ints(String[] parts, int n) {
    int[] a = new int[n];
    java.nio.ByteBuffer.wrap(java.util.Base64.getDecoder().decode(String.join("", parts))).asIntBuffer().get(a);
    return a;
  }`
