# bash completion for smtpprobe(1): subcommands, their options, and file/host arguments.
# Installed as /usr/share/bash-completion/completions/smtpprobe (loaded on demand).

# File names: bash-completion's _filedir when loaded, plain compgen otherwise.
_smtpprobe_files()
{
    if declare -F _filedir >/dev/null; then
        _filedir "$@"
    else
        local IFS=$'\n'
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}

_smtpprobe()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion || return
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
    fi

    local globals="--db --config --dns-server --json -v --verbose -q --quiet --version -h --help --dsn-test"
    local commands="status note run probe dsn-test dnsbl ingest explain serve config db help"
    local session="--source -4 -6 --helo --from --rcpt --tls --port --timeout --send --no-store --no-pipelining --help"

    # Find the subcommand (and its sub-subcommand), skipping global options and their values.
    local i cmd="" sub=""
    for ((i = 1; i < cword; i++)); do
        case "${words[i]}" in
        --db | --config | --dns-server | --dsn-test) ((i++)) ;;
        -*) ;;
        *)
            if [[ -z $cmd ]]; then
                cmd=${words[i]}
            elif [[ -z $sub ]]; then
                sub=${words[i]}
                break
            fi
            ;;
        esac
    done

    case "$prev" in
    --db | --config | --script | --mailbox)
        _smtpprobe_files
        return
        ;;
    --tls)
        COMPREPLY=($(compgen -W "off auto require require-valid" -- "$cur"))
        return
        ;;
    --format)
        COMPREPLY=($(compgen -W "auto sendmail postfix exim opensmtpd" -- "$cur"))
        return
        ;;
    --state)
        COMPREPLY=($(compgen -W "blocked clear unknown" -- "$cur"))
        return
        ;;
    --zone)
        COMPREPLY=($(compgen -W "spamhaus-zen spamcop barracuda psbl mailspike uceprotect-l1" -- "$cur"))
        return
        ;;
    --dsn-test | --source | --helo | --dns-server | --listen | --token | --from | --rcpt | \
        --port | --timeout | --threads | --request-timeout | --ip | --scope | --host | \
        --timezone | --year | --dqs-key | --concurrency | --per-receiver | --receive | --wait | \
        --since | --until | --limit)
        return
        ;;
    esac

    if [[ -z $cmd ]]; then
        COMPREPLY=($(compgen -W "$globals $commands" -- "$cur"))
        return
    fi

    local opts=""
    case "$cmd" in
    dsn-test) opts="$session --receive --mailbox --wait" ;;
    probe) opts="$session --script --concurrency --per-receiver" ;;
    ingest)
        if [[ -z $sub ]]; then
            COMPREPLY=($(compgen -W "log bounce dmarc tlsrpt snds --help" -- "$cur"))
            return
        fi
        case "$sub" in
        log) opts="--format --timezone --year --help" ;;
        bounce) opts="--dry-run --again --help" ;;
        dmarc | tlsrpt | snds) opts="--dry-run --help" ;;
        esac
        if [[ $cur != -* ]]; then
            _smtpprobe_files
            return
        fi
        ;;
    dnsbl) opts="--zone --dqs-key --timeout --no-store --help" ;;
    explain) opts="--host --help" ;;
    status) opts="--ip --scope --since --until --state --node --limit --all --help" ;;
    run) opts="--help" ;;
    help)
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        return
        ;;
    serve) opts="--listen --token --threads --request-timeout --help" ;;
    note) opts="--ip --scope --help" ;;
    db)
        if [[ -z $sub ]]; then
            COMPREPLY=($(compgen -W "export import migrate --help" -- "$cur"))
        elif [[ $cur != -* ]]; then
            _smtpprobe_files
        else
            COMPREPLY=($(compgen -W "--help" -- "$cur"))
        fi
        return
        ;;
    config)
        if [[ -z $sub ]]; then
            COMPREPLY=($(compgen -W "check --help" -- "$cur"))
        elif [[ $cur != -* ]]; then
            _smtpprobe_files toml
        fi
        return
        ;;
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -F _smtpprobe smtpprobe
