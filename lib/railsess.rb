# frozen_string_literal: true

# railsess: Rails' message crypto (KeyGenerator, MessageEncryptor, MessageVerifier), byte for byte,
# with a Rust core. See README.md.
require "railsess/version"
require "railsess/native"
require "railsess/compat"
require "railsess/error_bridge"
require "railsess/serializers"
require "railsess/key_generator"
require "railsess/message_verifier"
require "railsess/message_encryptor"
