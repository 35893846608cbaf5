# frozen_string_literal: true

require "base64"
require "openssl"
require "securerandom"
require "uri"
require "rack"
require "railsess"
require "railsess/presets"

module Railsess
  # Rails' CSRF authenticity tokens (ActionController::RequestForgeryProtection, 6.1), so a Rack app sharing
  # the Rails session cookie can print tokens Rails accepts and accept tokens Rails printed.
  #
  # Byte format:
  # - session["_csrf_token"]: the raw token, 32 random bytes, base64-encoded (`SecureRandom.base64(32)`, or
  #   url-safe with `urlsafe_csrf_tokens`, the 6.1 default: padded in 6.1, unpadded in 8.0). Any flavour
  #   is decoded.
  # - global token: HMAC-SHA256(raw, "!real_csrf_token"); per-form token (`per_form_csrf_tokens`, the 5.0+
  #   default): HMAC-SHA256(raw, path + "#" + method.downcase), path without query or trailing "/".
  # - a form/header token: encode(pad + (pad XOR token)), pad = 32 fresh random bytes, so 64 bytes
  #   (86 characters url-safe unpadded, 88 strict). encode is url-safe base64 without padding, or strict base64.
  # - accepted: a 64-byte masked token whose unmasked half equals the global token, the raw token, or the
  #   per-form token for the request's path and method; a 32-byte token equal to the raw token. Decoding
  #   takes both base64 flavours whatever `urlsafe` says (as Rails' decode_csrf_token does).
  #
  # Unlike Rails, nothing here raises on hostile input or a broken session token: valid? is then false
  # (Rails raises ArgumentError for an undecodable or wrong-length session token), and valid? never writes
  # the session (Rails' valid_authenticity_token? creates a session token when there is none).
  module CSRF
    # The session key Rails uses (`session[:_csrf_token]`; Rails' session stringifies keys).
    SESSION_KEY = "_csrf_token"
    TOKEN_LENGTH = 32
    GLOBAL_TOKEN_IDENTIFIER = "!real_csrf_token"
    # Where Protection leaves its token options for token_for, and why it refused a request.
    OPTIONS_ENV_KEY = "railsess.csrf.options"
    FAILURE_ENV_KEY = "railsess.csrf.failure"

    class Error < StandardError; end

    class << self
      # A masked authenticity token, as Rails' form_authenticity_token(form_options: { action: path,
      # method: method }). Creates the session token when missing. Raises ArgumentError when the session
      # holds something that is not base64 (Rails raises too).
      def token(session, path: nil, method: nil, urlsafe: true, per_form: true)
        session[SESSION_KEY] ||= generate_session_token(urlsafe)
        raw = decode_session_token(session[SESSION_KEY], urlsafe)
        raise ArgumentError, "session[#{SESSION_KEY.inspect}] is not a base64 CSRF token" unless raw

        csrf_token = if per_form && path && method
                       per_form_token(raw, normalize_action_path(path), method)
                     else
                       hmac(raw, GLOBAL_TOKEN_IDENTIFIER)
                     end
        encode(mask(csrf_token), urlsafe)
      end

      # Rails' valid_authenticity_token?. path and method are the request's (e.g. "/posts/1", "PATCH"); the
      # per-form token is checked only when both are given and per_form is on.
      def valid?(session, token, path: nil, method: nil, urlsafe: true, per_form: true)
        return false unless token.is_a?(String) && !token.empty?

        masked = decode(token, urlsafe)
        raw = session && decode_session_token(session[SESSION_KEY], urlsafe)
        return false unless masked && raw

        case masked.bytesize
        when TOKEN_LENGTH then compare(masked, raw)
        when TOKEN_LENGTH * 2 then valid_masked?(unmask(masked), raw, per_form ? path : nil, method)
        else false
        end
      end

      # token for the request's session (env["rack.session"]), with the urlsafe/per_form options of the
      # Protection middleware in front of the app unless given here.
      def token_for(env, path: nil, method: nil, **options)
        session = env[::Rack::RACK_SESSION] or raise Error, "no rack.session: mount a session middleware first"
        options = (env[OPTIONS_ENV_KEY] || {}).merge(options)
        token(session, path: path, method: method, **options)
      end

      private

      # Rails' order: global token, raw token, then the per-form token for the request (when path is given).
      def valid_masked?(csrf_token, raw, path, method)
        return true if compare(csrf_token, hmac(raw, GLOBAL_TOKEN_IDENTIFIER)) || compare(csrf_token, raw)
        return false unless path && method

        compare(csrf_token, per_form_token(raw, path.chomp("/"), method))
      end

      # Rails 6.1 writes `SecureRandom.urlsafe_base64(32, padding: false)`, but `padding` is positional
      # there: the Hash is truthy, so its url-safe session tokens are padded (44 characters); 7.0+
      # write `urlsafe_base64(32)` (43). Follows Compat.level: the loaded ActiveSupport, else 8.1.
      def generate_session_token(urlsafe)
        if urlsafe
          SecureRandom.urlsafe_base64(TOKEN_LENGTH, Compat.level.rails_61?)
        else
          SecureRandom.base64(TOKEN_LENGTH)
        end
      end

      def decode_session_token(stored, urlsafe)
        stored.is_a?(String) ? decode(stored, urlsafe) : nil
      end

      # Rails' decode_csrf_token, or nil. Base64.urlsafe_decode64 also takes standard (and padded) base64,
      # so both branches accept the same strings.
      def decode(string, urlsafe)
        if urlsafe
          Base64.urlsafe_decode64(string)
        else
          begin
            Base64.strict_decode64(string)
          rescue ArgumentError
            Base64.urlsafe_decode64(string)
          end
        end
      rescue ArgumentError, EncodingError
        nil
      end

      def encode(bytes, urlsafe)
        urlsafe ? Base64.urlsafe_encode64(bytes, padding: false) : Base64.strict_encode64(bytes)
      end

      def hmac(raw, identifier)
        OpenSSL::HMAC.digest("SHA256", raw, identifier)
      end

      def per_form_token(raw, action_path, method)
        hmac(raw, "#{action_path}##{method.to_s.downcase}")
      end

      # Rails' normalize_action_path: a form action (path or URL) without query and trailing "/".
      def normalize_action_path(action)
        URI.parse(action.to_s).path.to_s.chomp("/")
      end

      def mask(csrf_token)
        pad = SecureRandom.random_bytes(TOKEN_LENGTH)
        pad + xor(pad, csrf_token)
      end

      def unmask(masked)
        xor(masked.byteslice(0, TOKEN_LENGTH), masked.byteslice(TOKEN_LENGTH, TOKEN_LENGTH))
      end

      def xor(left, right)
        left.bytes.zip(right.bytes).map { |a, b| a ^ b }.pack("C*")
      end

      # Constant time for equal lengths; a length mismatch (a session token that is not 32 bytes) is false.
      def compare(left, right)
        left.bytesize == right.bytesize && OpenSSL.fixed_length_secure_compare(left, right)
      end
    end

    # Rack middleware doing what Rails' verify_authenticity_token does for `protect_from_forgery`:
    #
    #   use Rack::Session::..., or railsess' session middleware (env["rack.session"] must be Rails' session)
    #   use Rack::MethodOverride          # before this, so a `_method=patch` form is checked as PATCH
    #   use Railsess::CSRF::Protection    # urlsafe: true, per_form: true, origin_check: true (load_defaults 6.1)
    #
    # GET and HEAD pass (Rails checks every other method, OPTIONS included). Other requests need a valid token
    # in the `authenticity_token` parameter (query or form body; JSON bodies are not read: send the header) or
    # the X-CSRF-Token header, and, with origin_check, no Origin header or one equal to the request's base URL
    # as Rails computes it ("null" fails). A refused request gets on_failure.call(env) (default: 422 text/plain), with
    # env["railsess.csrf.failure"] set to :token, :origin or :null_origin. skip_if.call(env) truthy skips the
    # check. Raises Railsess::CSRF::Error when an unsafe request arrives without env["rack.session"].
    class Protection
      SAFE_METHODS = %w[GET HEAD].freeze
      FAILURE_BODY = "Invalid authenticity token\n"
      DEFAULT_ON_FAILURE = lambda do |_env|
        [422, { "content-type" => "text/plain", "content-length" => FAILURE_BODY.bytesize.to_s }, [FAILURE_BODY]]
      end

      # `preset: "6.1"` takes urlsafe/per_form/origin_check from that version's load_defaults
      # (Railsess::Presets); explicit options override it.
      def initialize(app, preset: nil, urlsafe: nil, per_form: nil, origin_check: nil, skip_if: nil, on_failure: nil,
                     param: "authenticity_token")
        @app = app
        defaults = preset ? Presets.fetch(preset) : {}
        @token_options = { urlsafe: pick(urlsafe, defaults[:urlsafe_csrf_tokens]),
                           per_form: pick(per_form, defaults[:per_form_csrf_tokens]) }.freeze
        @origin_check = pick(origin_check, defaults[:forgery_protection_origin_check])
        @skip_if = skip_if
        @on_failure = on_failure || DEFAULT_ON_FAILURE
        @param = param.to_s
      end

      def pick(option, preset_value)
        return option unless option.nil?

        preset_value.nil? ? true : preset_value
      end
      private :pick

      def call(env)
        env[OPTIONS_ENV_KEY] = @token_options
        failure = check(env)
        return @app.call(env) unless failure

        env[FAILURE_ENV_KEY] = failure
        @on_failure.call(env)
      end

      private

      # nil when the request may pass, else why not.
      def check(env)
        request = ::Rack::Request.new(env)
        return nil if SAFE_METHODS.include?(request.request_method)
        return nil if @skip_if&.call(env)

        origin = origin_failure(request)
        return origin if origin

        session = env[::Rack::RACK_SESSION] or raise Error, "no rack.session: mount a session middleware first"
        tokens = [form_token(request), env["HTTP_X_CSRF_TOKEN"]]
        valid = tokens.any? do |token|
          CSRF.valid?(session, token, path: request.path, method: request.request_method, **@token_options)
        end
        valid ? nil : :token
      end

      # Rails' valid_request_origin? (forgery_protection_origin_check).
      def origin_failure(request)
        return nil unless @origin_check

        origin = request.get_header("HTTP_ORIGIN")
        return nil if origin.nil?
        return :null_origin if origin == "null"

        origin == base_url(request) ? nil : :origin
      end

      # ActionDispatch::Request#base_url: Rack's scheme, then Rails' host_with_port (the last X-Forwarded-Host
      # value, else Host, else SERVER_NAME:SERVER_PORT; the port dropped when it is the scheme's default).
      # Rack's own base_url differs (rack 2.2.x takes the first X-Forwarded-Host value).
      def base_url(request)
        forwarded = request.get_header("HTTP_X_FORWARDED_HOST").to_s
        raw = if forwarded.strip.empty?
                request.get_header("HTTP_HOST") ||
                  "#{request.get_header('SERVER_NAME') || request.get_header('SERVER_ADDR')}:" \
                  "#{request.get_header('SERVER_PORT')}"
              else
                forwarded.split(/,\s?/).last.to_s
              end
        standard_port = request.ssl? ? 443 : 80
        port = (match = raw.match(/:(\d+)$/)) ? match[1].to_i : standard_port
        port_string = port == standard_port ? "" : ":#{port}"
        "#{request.scheme}://#{raw.sub(/:\d+$/, '')}#{port_string}"
      end

      # params[:authenticity_token]; unparsable parameters count as no token.
      def form_token(request)
        request.params[@param]
      rescue StandardError
        nil
      end
    end
  end
end
