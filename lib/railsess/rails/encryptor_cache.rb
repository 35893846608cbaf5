# frozen_string_literal: true

require "openssl"
require "railsess/rails/key_generator_identity"

module Railsess
  module RailsIntegration
    # The jars' encryptors and verifiers, one per configuration, least recently used dropped
    # first: an app that builds a key generator per request (one per tenant) reuses the entry of
    # an equal one (see KeyGeneratorIdentity) and never holds more than `max_size` entries.
    # Thread-safe; an entry is built outside the lock, so a key derivation never holds up
    # requests that hit the cache (two threads may both build a new entry; one is kept).
    class EncryptorCache
      DEFAULT_SIZE = 128

      attr_reader :max_size

      def initialize(max_size = DEFAULT_SIZE)
        @max_size = max_size
        @entries = {}
        @lock = Mutex.new
      end

      def fetch(key)
        found = @lock.synchronize do
          value = @entries.delete(key)
          @entries[key] = value unless value.nil? # most recently used last
          value
        end
        return found unless found.nil?

        built = yield
        @lock.synchronize do
          @entries[key] ||= begin
            @entries.shift while @entries.size >= @max_size
            built
          end
        end
      end

      def size = @lock.synchronize { @entries.size }
      def clear = @lock.synchronize { @entries.clear }

      # Entries hold key material (redacted in their own inspect): never listed.
      def inspect = "#<#{self.class.name} #{size}/#{@max_size}>"
    end
  end
end
