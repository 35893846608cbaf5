# frozen_string_literal: true

module Railsess
  # The `domain:` cookie option as ActionDispatch's cookie jar resolves it for a request's host
  # (CookieJar#handle_options, identical from 6.1.7 to 8.1 except the leading dot):
  #
  # * `:all` / "all": no domain for an IP address, a one-label host or one with an empty label;
  #   with `tld_length: n` the last n labels (none when the host has fewer); without it the last
  #   two labels, or three when the host ends like ".co.uk" (`/\.[^.]{2,3}\.[^.]{2}\z/`, which
  #   also matches "www.abc.io"). Rails before 7.1 writes a leading dot (".myapp.test").
  # * an Array: the first entry the host equals or is a subdomain of (leading dots ignored), as is.
  # * anything else: unchanged.
  module CookieDomain
    IP_LIKE = /^[\d.]+$/
    TWO_LETTER_SLD = /\.[^.]{2,3}\.[^.]{2}\z/

    module_function

    # `host` is the request's host, or a block that returns it: only :all and Array domains
    # depend on it, and Rack parses it with regexps on each call.
    def resolve(domain, host = nil, tld_length: nil, leading_dot: false)
      case domain
      when :all, "all" then all((block_given? ? yield : host).to_s, tld_length, leading_dot)
      when Array
        host = (block_given? ? yield : host).to_s
        domain.find { |d| matches?(host, d.delete_prefix(".")) }
      else domain
      end
    end

    def all(host, tld_length, leading_dot)
      labels = host.split(".", -1)
      return nil if IP_LIKE.match?(host) || labels.include?("") || labels.length == 1

      kept = if tld_length
               labels.length >= tld_length ? labels.last(tld_length) : []
             else
               labels.last(TWO_LETTER_SLD.match?(host) ? 3 : 2)
             end
      return nil if kept.empty?

      leading_dot ? ".#{kept.join('.')}" : kept.join(".")
    end

    def matches?(host, domain)
      host == domain || host.end_with?(".#{domain}")
    end
  end
end
