# frozen_string_literal: true

module Railsess
  VERSION = "0.1.0"
end
