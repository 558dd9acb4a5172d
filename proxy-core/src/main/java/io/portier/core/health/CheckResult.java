package io.portier.core.health;

import java.time.Instant;

/**
 * The last check of a server, kept for the admin API.
 *
 * @param detail free text such as the OS error or the reply received; never null
 * @param at     when the check finished, or null when none ran
 */
public record CheckResult(CheckCode code, String detail, Instant at) {

    public static final CheckResult NONE = new CheckResult(CheckCode.NONE, "", null);
}
