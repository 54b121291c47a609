export {
  defineProjection,
  DEFAULT_READ_DATABASE,
  type Projection,
  type ProjectionConfig,
  type ProjectionContext,
  type ProjectionStatements,
} from "./define-projection.js";
