; obs harvest tags for JavaScript (and JSX). Same capture scheme as python-tags.scm.

(function_declaration
  name: (identifier) @name) @definition.function
(generator_function_declaration
  name: (identifier) @name) @definition.function
(class_declaration
  name: (identifier) @name) @definition.class
(method_definition
  name: (property_identifier) @name) @definition.method

; const f = () => ..., const f = function () {...}
(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression)]) @definition.function

; exports.f = () => ..., obj.f = function () {...}
(assignment_expression
  left: (member_expression
    property: (property_identifier) @name)
  right: [(arrow_function) (function_expression)]) @definition.function

(call_expression
  function: (identifier) @reference.call)
(call_expression
  function: (member_expression
    property: (property_identifier) @reference.call))
(new_expression
  constructor: (identifier) @reference.class)
(class_heritage
  (identifier) @reference.class)
(import_specifier
  name: (identifier) @reference.import)
