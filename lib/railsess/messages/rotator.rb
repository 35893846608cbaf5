# frozen_string_literal: true

module Railsess
  module Messages
    # `rotate` / `on_rotation` / `fall_back_to`, prepended like ActiveSupport's Messages::Rotator.
    #
    # Rails 7.1+ tries rotations when the message's format or serialization is bad, not when its
    # purpose or expiry is (that is `read_message` below). Rails 6.1/7.0 differ per class: the
    # encryptor retries on InvalidMessage/InvalidSignature, the verifier whenever `verified` is
    # nil; the classes implement those in their 6.1 paths with `run_rotations`.
    module Rotator
      def initialize(*args, on_rotation: nil, **options)
        super(*args, **options)
        @args = args
        @options = options
        @rotations = []
        @on_rotation = on_rotation
      end

      def rotate(*args, **options)
        fall_back_to build_rotation(*args, **options)
      end

      def on_rotation(&on_rotation)
        @on_rotation = on_rotation
        self
      end

      def fall_back_to(fallback)
        @rotations << fallback
        self
      end

      def read_message(message, on_rotation: @on_rotation, **options)
        return super(message, **options) if @rotations.empty?

        thrown, error = catch_rotation_error { return super(message, **options) }
        options = options.except(:opened) # what this codec's own fast path opened
        @rotations.each do |rotation|
          catch_rotation_error do
            value = rotation.read_message(message, **options)
            on_rotation&.call
            return value
          end
        end
        throw thrown, error
      end

      def initialize_dup(*)
        super
        @rotations = @rotations.dup
      end

      private

      def build_rotation(*args, **options)
        self.class.new(*args, *@args.drop(args.length), **@options, **options)
      end

      def catch_rotation_error
        error = catch :railsess_format do
          error = catch :railsess_serialization do
            return [nil, yield]
          end
          return [:railsess_serialization, error]
        end
        [:railsess_format, error]
      end

      # Rails 6.1/7.0's Rotator#run_rotations.
      def run_rotations(on_rotation)
        @rotations.find do |rotation|
          message = begin
            yield(rotation)
          rescue StandardError
            next
          end
          if message
            on_rotation&.call
            return message
          end
        end
      end
    end
  end
end
