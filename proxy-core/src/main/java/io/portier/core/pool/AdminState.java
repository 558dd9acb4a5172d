package io.portier.core.pool;

/** The state an operator sets through the admin API; it survives reloads while the server keeps its name. */
public enum AdminState { READY, DRAIN, MAINT }
