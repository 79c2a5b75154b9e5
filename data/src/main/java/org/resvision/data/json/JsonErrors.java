package org.resvision.data.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Jackson's errors in a config file, in the user's words: the file, {@code line:column} when
 * known, the field (with list indices: {@code anchor_sizes[2][0]}) and what was expected
 * against what was found, never a Java type or class name:
 * {@code c.json:3:9: field "lr": expected a number, got "abc"}.
 */
public final class JsonErrors {

    private JsonErrors() {}

    /**
     * The mapper the config files are read with: an unknown field, a fraction for an integer and null for
     * a number are errors (a typo or a wrong value must not be ignored or rounded).
     *
     * @return a new mapper
     */
    public static ObjectMapper configMapper() {
        return new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT) // "iterations": 4.5 is an error, not 4
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES); // and null is not 0
    }

    /**
     * The one-line message for {@code e}, raised while binding or parsing {@code file}.
     *
     * @param file the file being read, named at the start of the message
     * @param e Jackson's exception
     * @return a new exception to throw, with no cause attached (Jackson's own message names Java types)
     */
    public static IOException describe(Path file, JsonProcessingException e) {
        // no cause attached: Jackson's own message (Java types, class names) must not reach the user
        return new IOException(file + where(e.getLocation()) + ": " + problem(e));
    }

    private static String where(JsonLocation at) {
        return at == null || at.getLineNr() < 0 ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr();
    }

    private static String problem(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            String near = closest(u.getPropertyName(), u.getKnownPropertyIds());
            return "unknown field \"" + u.getPropertyName() + "\"" + (u.getPath().size() > 1 ? " in " + field(u, 1) : "")
                    + (near == null ? "" : " (did you mean \"" + near + "\"?)");
        }
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            String got = m instanceof InvalidFormatException f ? value(f.getValue()) : token(m.getProcessor());
            if (got == null) {
                got = kind(m.getOriginalMessage());
            }
            return "field " + field(m, 0) + ": expected " + expected(m.getTargetType()) + (got == null ? "" : ", got " + got);
        }
        String original = e.getOriginalMessage() == null ? "malformed JSON" : e.getOriginalMessage();
        return original.replace('\n', ' ');
    }

    /** The known name at most 2 edits from {@code name}, if any. */
    private static String closest(String name, Collection<Object> known) {
        String best = null;
        int bestDistance = 3;
        for (Object k : known == null ? List.of() : known) {
            int d = distance(name, String.valueOf(k));
            if (d < bestDistance) {
                bestDistance = d;
                best = String.valueOf(k);
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** {@code "a"}, {@code "a.b"} or {@code "a[2][0]"}, leaving out the last {@code dropLast} references. */
    private static String field(JsonMappingException e, int dropLast) {
        StringBuilder sb = new StringBuilder();
        var path = e.getPath();
        for (int i = 0; i < path.size() - dropLast; i++) {
            JsonMappingException.Reference r = path.get(i);
            if (r.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return "\"" + sb + "\"";
    }

    private static String expected(Class<?> t) {
        if (t == null) {
            return "another kind of value";
        }
        if (t == float.class || t == double.class || t == Float.class || t == Double.class || t == java.math.BigDecimal.class) {
            return "a number";
        }
        if (t == int.class || t == long.class || t == short.class || t == byte.class || t == Integer.class || t == Long.class
                || t == Short.class || t == java.math.BigInteger.class) {
            return "an integer";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (t == String.class || t == char.class || t == Character.class) {
            return "a string";
        }
        if (t.isArray() || Collection.class.isAssignableFrom(t)) {
            return t.isArray() && t.getComponentType().isArray() ? "a list of lists" : "a list";
        }
        if (Map.class.isAssignableFrom(t)) {
            return "an object";
        }
        return "an object";
    }

    private static String value(Object v) {
        if (v == null) {
            return "null";
        }
        return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    }

    private static final java.util.regex.Pattern FROM = java.util.regex.Pattern.compile("from (\\w+)(?:[- ]\\w+)? value");

    /** The kind of value Jackson's message says it found ("... from Integer value ..."). */
    private static String kind(String message) {
        java.util.regex.Matcher m = FROM.matcher(message == null ? "" : message);
        if (!m.find()) {
            return null;
        }
        return switch (m.group(1)) {
            case "Integer", "Floating" -> "a number";
            case "String" -> "a string";
            case "Array" -> "a list";
            case "Object" -> "an object";
            case "Boolean" -> "true or false";
            case "Null" -> "null";
            default -> null;
        };
    }

    /** What the parser stood on when binding failed. */
    private static String token(Object processor) {
        if (!(processor instanceof JsonParser p)) {
            return null;
        }
        JsonToken t = p.currentToken();
        if (t == null) {
            return null;
        }
        try {
            return switch (t) {
                case START_ARRAY -> "a list";
                case START_OBJECT -> "an object";
                case VALUE_STRING -> "\"" + p.getText() + "\"";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> p.getText();
                default -> null;
            };
        } catch (IOException ex) {
            return null;
        }
    }
}
