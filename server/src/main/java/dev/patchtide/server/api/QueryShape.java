package dev.patchtide.server.api;

import java.util.Arrays;
import java.util.List;

/**
 * The part of a botocore service model the AWS query protocol needs: which members are scalars,
 * structures, lists (on the wire {@code Name.member.N}) or maps ({@code Name.entry.N.key} and
 * {@code Name.entry.N.value}, or the entry names the model gives). With it a request form becomes the
 * JSON tree the JSON wire would have sent, and a response tree becomes the model's XML.
 */
public sealed interface QueryShape {

    static Member member(String name, QueryShape shape) {
        return new Member(name, shape);
    }

    /**
     * A string (a blob too: base64 text on both wires), or a boolean, {@code true}/{@code false} on the
     * query wire and a JSON boolean in the tree.
     */
    enum Scalar implements QueryShape {
        STRING,
        BOOLEAN
    }

    record Member(String name, QueryShape shape) {}

    record Structure(List<Member> members) implements QueryShape {
        public Structure {
            members = List.copyOf(members);
        }

        public static Structure of(Member... members) {
            return new Structure(Arrays.asList(members));
        }
    }

    record ListOf(QueryShape member) implements QueryShape {}

    /** Keys are strings; {@code keyName} and {@code valueName} are the model's entry element names. */
    record MapOf(String keyName, String valueName, QueryShape value) implements QueryShape {
        /** String to string, with the entry names the model uses when it names none. */
        public static MapOf ofStrings() {
            return new MapOf("key", "value", Scalar.STRING);
        }
    }
}
