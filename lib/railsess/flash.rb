# frozen_string_literal: true

require "set"

module Railsess
  # Rails' flash (ActionDispatch::Flash::FlashHash) over a Rack session, so a message set by one
  # app is shown once by the other. Session value: {"discard" => [], "flashes" => {"notice" => ..}}.
  #
  #   flash = Railsess::Flash.for(env)
  #   flash[:notice]              # what the other app set; gone after this request
  #   flash[:alert] = "Saved"     # shown on the next request, by either app
  #   flash.now[:alert] = "Oops"  # this request only
  #
  # As in Rails, loading marks every stored message for discard; the request's changes are written
  # back to the session when the session middleware commits (Session::CookieStore does it; with
  # another session store put Railsess::Flash::Middleware inside it).
  class Flash
    include Enumerable

    ENV_KEY = "railsess.flash"
    SESSION_KEY = "flash"

    # The request's flash, loaded from `env["rack.session"]` on first use.
    def self.for(env)
      env[ENV_KEY] ||= from_session_value(env.fetch("rack.session")[SESSION_KEY])
    end

    # Rails' Request#commit_flash.
    def self.commit(env)
      session = env["rack.session"] or return
      flash = env[ENV_KEY]
      session[SESSION_KEY] = flash.to_session_value if flash && (!flash.empty? || session.key?(SESSION_KEY))
      loaded = !session.respond_to?(:loaded?) || session.loaded?
      session.delete(SESSION_KEY) if loaded && session.key?(SESSION_KEY) && session[SESSION_KEY].nil?
    end

    # Rails 4.0+'s session form; anything else is an empty flash.
    def self.from_session_value(value)
      return new unless value.is_a?(Hash) && value["flashes"].is_a?(Hash)

      flashes = value["flashes"].dup
      discard = value["discard"]
      flashes.reject! { |key, _| discard.include?(key) } if discard.is_a?(Array)
      new(flashes, flashes.keys)
    end

    def initialize(flashes = {}, discard = [])
      @flashes = flashes
      @discard = Set.new(discard)
    end

    def to_session_value
      kept = @flashes.except(*@discard)
      kept.empty? ? nil : { "discard" => [], "flashes" => kept }
    end

    def []=(key, value)
      key = key.to_s
      @discard.delete(key)
      @flashes[key] = value
    end

    def [](key) = @flashes[key.to_s]
    def key?(key) = @flashes.key?(key.to_s)
    def keys = @flashes.keys
    def empty? = @flashes.empty?
    def to_hash = @flashes.dup
    def each(&) = @flashes.each(&)
    def notice = self[:notice]
    def alert = self[:alert]

    def notice=(message)
      self[:notice] = message
    end

    def alert=(message)
      self[:alert] = message
    end

    def delete(key)
      key = key.to_s
      @discard.delete(key)
      @flashes.delete(key)
      self
    end

    def clear
      @discard.clear
      @flashes.clear
    end

    # Keeps the messages (all, or one) for the next request too.
    def keep(key = nil)
      @discard.subtract(Array(key&.to_s || keys))
      key ? self[key] : self
    end

    # Drops the messages (all, or one) at the end of this request.
    def discard(key = nil)
      @discard.merge(Array(key&.to_s || keys))
      key ? self[key] : self
    end

    def now = @now ||= Now.new(self)

    # `flash.now`: set for this request only.
    class Now
      def initialize(flash)
        @flash = flash
      end

      def []=(key, value)
        @flash[key] = value
        @flash.discard(key)
      end

      def [](key) = @flash[key]
    end

    # For session stores other than Session::CookieStore: `use Railsess::Flash::Middleware` after
    # (inside) the session middleware.
    class Middleware
      def initialize(app)
        @app = app
      end

      def call(env)
        response = @app.call(env)
        Flash.commit(env)
        response
      end
    end
  end
end
