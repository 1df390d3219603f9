// The system's GNU readline (libreadline-dev), and the few things Swift 6 cannot do with it
// directly: set its C globals, and install a signal handler that interrupts a read.
#ifndef DUN_CREADLINE_SHIM_H
#define DUN_CREADLINE_SHIM_H

#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <readline/readline.h>
#include <readline/history.h>

/// Settings made once, before the first readline call: the program's name for ~/.inputrc
/// conditionals, Dun's own signal handling, multi-line history entries that survive a restart
/// (timestamps and a comment character are what make readline keep them whole), and no
/// quote handling of its own in completion.
static inline void dun_readline_setup(const char *name, const char *word_breaks) {
    rl_readline_name = name;
    rl_catch_signals = 0;
    history_write_timestamps = 1;
    history_multiline_entries = 1;
    history_comment_char = '#';
    rl_completer_word_break_characters = (char *)word_breaks;
    rl_completer_quote_characters = NULL;
}

static inline void dun_set_completion(rl_completion_func_t *completion, rl_getc_func_t *getc) {
    rl_attempted_completion_function = completion;
    rl_getc_function = getc;
}

/// For the completion function: do not fall back to file names (0: do), and what to append
/// to a single match.
static inline void dun_completion_over(int over, int append) {
    rl_attempted_completion_over = over;
    rl_completion_append_character = append;
}

/// SIGINT (and the others given) to `handler`, without SA_RESTART: a read it interrupts
/// returns EINTR, so the line being typed can be abandoned.
static inline int dun_handle_signal(int signal, void (*handler)(int)) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    return sigaction(signal, &action, NULL);
}

#endif
