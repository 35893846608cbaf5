# frozen_string_literal: true

desc "Ruby style (Debian's rubocop, .rubocop.yml)"
task(:rubocop) { sh "rubocop" }
