# frozen_string_literal: true

module Railsess
  module RailsIntegration
    # Rails' fix for CVE-2026-126077 ("Keep a proxy from resending an upgraded session cookie"),
    # for an ActionDispatch that predates it (7.0-8.1 before their November 2026 releases; Debian's
    # 6.1.7.10+deb12u4 has it): a cookie the signed or encrypted jar rewrites only because it was
    # read through a rotation or an old serialization is not written when
    # `request.session_options[:skip]` is set, so a shared cache never stores one visitor's
    # rewritten cookie (a Devise remember token) for others. An explicit `[]=` clears the mark; a
    # `delete` still goes out. Installed by RailsIntegration.install! only where
    # ActionDispatch::Cookies::CookieJar has no `upgraded` of its own; marks are only made while
    # railsess is enabled.
    module UpgradedCookies
      def self.needed?
        !::ActionDispatch::Cookies::CookieJar.method_defined?(:upgraded)
      end

      def self.install
        ::ActionDispatch::Cookies::CookieJar.prepend(Jar)
        ::ActionDispatch::Cookies::AbstractCookieJar.prepend(ChainedJar)
      end

      # ActionDispatch::Cookies::CookieJar: keeps the marks and leaves marked cookies out of the
      # response under :skip.
      module Jar
        def upgraded(name)
          (@railsess_upgraded ||= {})[name.to_s] = true
        end

        def []=(name, options)
          @railsess_upgraded&.delete(name.to_s)
          super
        end

        # write(headers) up to 7.0, write(response) from 7.1: both write @set_cookies, so the
        # marked ones are taken out of it for the call.
        def write(*)
          return super unless @railsess_upgraded&.any? && request.session_options[:skip]

          set_cookies = @set_cookies
          @set_cookies = set_cookies.reject { |name, _| @railsess_upgraded.key?(name) }
          super
        ensure
          @set_cookies = set_cookies if set_cookies
        end
      end

      # The chained jars (signed, encrypted, permanent). Every version rewrites an upgraded cookie
      # with `self[name] = { value: ... }` from inside `[]` (deserialize up to 7.0, parse from
      # 7.1), and that is the only `[]=` a read makes: such a write is marked, as 6.1's patched
      # SerializedCookieJars#deserialize marks it with `upgraded(name)`.
      module ChainedJar
        def [](name)
          return super if @railsess_reading || !RailsIntegration.enabled?

          @railsess_reading = true
          begin
            super
          ensure
            @railsess_reading = false
          end
        end

        def []=(name, options)
          super.tap { upgraded(name) if @railsess_reading }
        end

        def upgraded(name)
          @parent_jar.upgraded(name)
        end
      end
    end
  end
end
