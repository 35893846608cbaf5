# frozen_string_literal: true

require "railsess/cookie_jar"

module Railsess
  # Reads and changes the login that Warden/Devise keep in a Rails session, from a Rack app:
  #
  #   auth = Railsess::Warden.new(env)               # scope :user, like Devise's default mapping
  #   id, salt = auth.user_key                        # from session["warden.user.user.key"]
  #   user = User.find_by(id: id)
  #   user = nil unless user && Rack::Utils.secure_compare(user.authenticatable_salt, salt.to_s)
  #   auth.sign_out                                   # as Devise's sign_out does
  #
  # Session keys (Warden's SessionSerializer, Devise's serialize_into_session):
  #   "warden.user.<scope>.key"     => [[id], authenticatable_salt]   (record.to_key, salt)
  #   "warden.user.<scope>.session" => Warden's per-scope data (e.g. Devise timeoutable's last_request_at)
  #   "<scope>_return_to"           => Devise's stored location
  # Devise's remember-me cookie "remember_<scope>_token" is a signed cookie holding
  # [[id], remember_token, generated_at]; signing out must delete it, or Devise signs the user
  # straight back in. The salt check is the app's job, as in Devise: a changed password changes
  # the salt and invalidates every session.
  class Warden
    RememberToken = Struct.new(:id, :token, :generated_at)

    attr_reader :scope

    def initialize(env, scope: :user, remember_key: nil)
      @env = env
      @scope = scope.to_s
      @remember_key = remember_key || "remember_#{@scope}_token"
    end

    def session = @env.fetch("rack.session")
    def key = "warden.user.#{@scope}.key"

    # [id, salt] of the signed-in user (id unwrapped from to_key when it has one part), or nil.
    def user_key
      value = session[key]
      return nil unless value.is_a?(Array) && value.length == 2

      id, salt = value
      [id.is_a?(Array) && id.length == 1 ? id.first : id, salt]
    end

    def signed_in? = !user_key.nil?

    # Devise's remember-me cookie, if a valid signed one is present.
    def remember_token
      value = CookieJar.for(@env).signed[@remember_key]
      return nil unless value.is_a?(Array) && value.length == 3

      id, token, generated_at = value
      RememberToken.new(id.is_a?(Array) && id.length == 1 ? id.first : id, token, generated_at)
    end

    # Devise's store_location_for: where to go after signing in.
    def store_location(path)
      session["#{@scope}_return_to"] = path
    end

    def stored_location = session["#{@scope}_return_to"]

    # What Devise's sign_in does to the session: drops "devise.*" keys and the CSRF token (so a
    # token from before the login cannot be replayed), stores [[id], salt] and asks the session
    # store for a new session id (Warden's `renew`, against session fixation).
    def sign_in(id, salt)
      expire_devise_data
      session.delete("_csrf_token")
      session[key] = [Array(id), salt]
      renew_session_id
      self
    end

    # Devise's sign_out. By default (Devise's `sign_out_all_scopes = true`) every scope is
    # signed out and the whole session is reset with a new id; `all_scopes: false` signs out
    # this scope only. The remember-me cookie is deleted with the session cookie's path, domain
    # and secure options, as Devise's forget_me does.
    def sign_out(all_scopes: true)
      forget_me
      if all_scopes
        reset_session
      else
        session.delete("warden.user.#{@scope}.session")
        session.delete(key)
      end
      self
    end

    private

    def expire_devise_data
      session.keys.grep(/\Adevise\./).each { |k| session.delete(k) }
    end

    def forget_me
      options = session_options.slice(:path, :domain, :secure, :tld_length)
      CookieJar.for(@env).delete(@remember_key, options)
    end

    def reset_session
      session.respond_to?(:destroy) ? session.destroy : session.clear
      @env.delete(Flash::ENV_KEY) if defined?(Flash)
    end

    def renew_session_id
      options = @env["rack.session.options"]
      return unless options

      @env["rack.session.options"] = options.frozen? ? options.merge(renew: true) : options.merge!(renew: true)
    end

    def session_options = @env["rack.session.options"] || {}
  end
end
